"""`[[lists]] subscribers = "subscribers/daily.csv"` names the CSV that `digest
subscribers import --list NAME` reads when no file is given. It was read by `digest demo`
only: an operator edited the CSV and nothing changed, and a path to a file that is not
there was accepted in silence. The database stays the record of consent: nothing reads
the file on its own. Real CSV and SQLite files, the real commands."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from digest.cli import main
from tests.conftest import ROOT, write_project


def _run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--config", str(config)])
    return result.exit_code, " ".join(result.output.split())


def test_an_import_without_a_file_reads_the_lists_csv(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    csv = tmp_path / "news" / "subscribers" / "daily.csv"
    csv.write_text("email,name\nann@example.org,Ann\nbo@example.org,Bo\n")
    code, output = _run(config, "subscribers", "import", "--list", "daily")
    assert code == 0, output
    assert "imported: 2 added" in output
    code, listed = _run(config, "subscribers", "list", "--list", "daily", "--json")
    assert code == 0 and "ann@example.org" in listed and "bo@example.org" in listed

    # The CSV edited: an import again adds the new row, keeps the rest.
    csv.write_text("email,name\nann@example.org,Ann\nbo@example.org,Bo\ncy@example.org,Cy\n")
    code, output = _run(config, "subscribers", "import", "--list", "daily")
    assert code == 0 and "imported: 1 added, 0 updated, 2 unchanged" in output, output


def test_a_lists_csv_that_is_not_there_is_an_error_naming_the_key(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    text = config.read_text().replace('"subscribers/daily.csv"', '"subscribers/daly.csv"')
    config.write_text(text)
    code, output = _run(config, "subscribers", "import", "--list", "daily")
    assert code == 2, output
    missing = tmp_path / "news" / "subscribers" / "daly.csv"
    assert f"error: {config}: [[lists]] 'daily' subscribers: {missing}: no such file" in output
    assert not (tmp_path / "news" / "digest.db").exists()  # nothing opened or created


def test_an_import_without_a_file_for_a_list_without_one_says_what_to_give(
    tmp_path: Path,
) -> None:
    config = write_project(tmp_path / "news")
    config.write_text(config.read_text().replace('subscribers = "subscribers/daily.csv"\n', ""))
    code, output = _run(config, "subscribers", "import", "--list", "daily")
    assert code == 2, output
    assert "give the CSV file to import" in output
    assert f"[[lists]] 'daily' in {config} names none (subscribers = " in output
    assert not (tmp_path / "news" / "digest.db").exists()


def test_the_sample_config_says_what_the_key_does() -> None:
    lines = (ROOT / "digest.toml").read_text().splitlines()
    at = next(n for n, x in enumerate(lines) if x.startswith("subscribers ="))
    comment = " ".join(x.lstrip("# ") for x in lines[at - 3 : at])
    assert "read only when asked: `digest subscribers import --list daily` with no" in comment
    assert "after editing the file, import it again" in comment
