"""digest.toml mistakes a user would not notice until mail went wrong: a transport that
discards mail, a file saved with a byte-order mark, a Jinja-style `{{field}}` in the
subject, and a scaffolded list title that shadows the newsletter's name."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.config import TransportSettings, load
from digest.deliver.local import MemoryTransport, OutboxTransport
from digest.deliver.transports import make_transport
from digest.errors import ConfigError, DigestError
from tests.conftest import ROOT, write_project


def test_memory_transport_is_refused_in_a_users_file(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news", sources="", transport='kind = "memory"')
    with pytest.raises(ConfigError) as info:
        load(config)
    message = str(info.value)
    line = config.read_text().splitlines().index('kind = "memory"') + 1
    assert message.startswith(f"{config}:{line}: transport.kind = 'memory'")
    assert '"smtp"' in message and '"outbox"' in message


def test_a_wrong_kind_offers_only_the_kinds_a_file_may_use(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news", sources="", transport='kind = "smpt"')
    with pytest.raises(ConfigError, match=r"transport\.kind = 'smpt'") as info:
        load(config)
    assert "memory" not in str(info.value)
    assert '"smtp"' in str(info.value) and '"outbox"' in str(info.value)


def test_memory_send_via_the_cli_is_refused_and_sends_nothing(tmp_path: Path) -> None:
    """What QA saw: `digest send 1` said "Sent 36" with mail going nowhere."""
    config = write_project(tmp_path / "news", sources="", transport='kind = "memory"')
    result = CliRunner().invoke(main, ["send", "1", "--config", str(config)])
    assert result.exit_code != 0
    assert "Sent" not in result.output
    assert "transport.kind = 'memory'" in result.output


def test_smtp_and_outbox_stay_accepted_and_tests_build_memory_in_code(tmp_path: Path) -> None:
    for kind in ("smtp", "outbox"):
        config = write_project(tmp_path / kind, sources="", transport=f'kind = "{kind}"')
        assert load(config).transport.kind == kind
    assert isinstance(make_transport(TransportSettings(kind="memory")), MemoryTransport)
    assert isinstance(make_transport(TransportSettings(path=tmp_path)), OutboxTransport)


def test_the_sample_config_loads_with_the_outbox(tmp_path: Path) -> None:
    settings = load(ROOT / "digest.toml")
    assert settings.transport.kind == "outbox"
    assert settings.warnings == ()


# -- a byte-order mark -----------------------------------------------------------------


def test_a_file_saved_with_a_bom_loads(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news", sources="")
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes().lstrip())
    assert load(config).newsletter.name == "The Test Brief"


def test_an_error_in_a_bom_file_names_the_line_of_a_first_line_header(tmp_path: Path) -> None:
    config = tmp_path / "digest.toml"
    config.write_bytes(b"\xef\xbb\xbf[newsletter]\nname = 3\n")
    with pytest.raises(ConfigError, match=re.escape(f"{config}:2: newsletter.name")):
        load(config)
    project = write_project(tmp_path / "news", sources="")
    project.write_bytes(b"\xef\xbb\xbfbogus = 1\n" + project.read_bytes())
    with pytest.raises(ConfigError, match=re.escape(f"{project}:1: unknown key 'bogus'")):
        load(project)


# -- {{field}} in the subject ---------------------------------------------------------


def _subject(tmp_path: Path, subject: str) -> tuple[Path, tuple[str, ...]]:
    config = write_project(tmp_path / "news", sources="")
    text = config.read_text().replace(
        'name = "The Test Brief"\n', f'name = "The Test Brief"\nsubject = "{subject}"\n', 1
    )
    config.write_text(text)
    return config, load(config).warnings


def test_a_jinja_style_field_in_the_subject_is_warned_of(tmp_path: Path) -> None:
    config, warnings = _subject(tmp_path, "{{lead}} - {name}")
    line = config.read_text().splitlines().index('subject = "{{lead}} - {name}"') + 1
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{config}:{line}: ")
    assert "{{lead}}" in warnings[0] and "literally" in warnings[0]
    assert "write {lead}" in warnings[0]


def test_the_warning_is_shown_by_the_cli(tmp_path: Path) -> None:
    config, _ = _subject(tmp_path, "{{lead}} - {name}")
    result = CliRunner().invoke(main, ["schedule", "--config", str(config)])
    assert "warning:" in result.output and "{{lead}}" in result.output


@pytest.mark.parametrize("subject", ["{lead} | {name}", "{{ours}} {lead}", "{{ {lead} }}"])
def test_a_brace_escape_not_around_a_field_is_not_warned_of(tmp_path: Path, subject: str) -> None:
    assert _subject(tmp_path, subject)[1] == ()


# -- the list's title and the newsletter's name -------------------------------------


def test_the_scaffold_leaves_the_list_title_to_the_newsletter_name(tmp_path: Path) -> None:
    """Renaming [newsletter] name in a new project renames the masthead, footer, List-Id."""
    target = tmp_path / "mine"
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    config = target / "digest.toml"
    config.write_text(
        config.read_text().replace('name = "The Copenhagen Brief"', 'name = "The Aarhus Letter"', 1)
    )
    settings = load(config)
    assert settings.lists[0].title == ""
    assert settings.warnings == ()
    out = tmp_path / "preview"
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["build", "--config", str(config), "--at", "2026-11-27T07:00:00Z"]
        ).exit_code
        == 0
    )
    result = runner.invoke(main, ["preview", "1", "--config", str(config), "--out", str(out)])
    assert result.exit_code == 0, result.output
    msg = message_from_bytes(next(out.glob("*.eml")).read_bytes(), policy=policy.default)
    assert str(msg["List-Id"]).startswith("The Aarhus Letter <")
    text = msg.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert "The Aarhus Letter" in body and "Copenhagen Brief" not in body


def test_an_old_title_left_behind_is_warned_of(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news", sources="")
    config.write_text(
        config.read_text().replace(
            'name = "daily"\n', 'name = "daily"\ntitle = "The Copenhagen Brief"\n', 1
        )
    )
    line = config.read_text().splitlines().index('title = "The Copenhagen Brief"') + 1
    (warning,) = load(config).warnings
    assert warning.startswith(f"{config}:{line}: ")
    assert "The Test Brief" in warning


def test_a_title_of_ones_own_is_not_warned_of(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news", sources="")
    config.write_text(
        config.read_text().replace('name = "daily"\n', 'name = "daily"\ntitle = "Mornings"\n', 1)
    )
    assert load(config).warnings == ()


def test_a_demo_folder_of_an_earlier_release_is_still_the_demos(tmp_path: Path) -> None:
    """Its digest.toml has the list title this release's sample leaves out."""
    from digest.cli.scaffold import check_demo_folder

    old = (ROOT / "digest.toml").read_text()
    old = re.sub(
        r'name = "daily"\n#[^\n]*\n', 'name = "daily"\ntitle = "The Copenhagen Brief"\n', old
    )
    assert 'title = "The Copenhagen Brief"' in old
    (tmp_path / "digest.toml").write_text(old)
    (tmp_path / "edition.json").write_text("{}\n")
    check_demo_folder(tmp_path)  # no error: the demo may empty it again
    (tmp_path / "digest.toml").write_text(old.replace("leads = 3", "leads = 4"))
    with pytest.raises(DigestError, match="not a folder `digest demo` made"):
        check_demo_folder(tmp_path)
