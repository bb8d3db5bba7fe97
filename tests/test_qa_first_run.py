"""What a new user meets first: `digest init` and the README's steps, the operator's
tables in an 80-column terminal (or a pipe), and `digest lint` on every kind of mail
digest sends (an edition, and the double opt-in confirmation).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.app import App
from digest.cli import main
from digest.lint import lint_message
from digest.records import Subscriber
from digest.subscribers import confirmation_message
from tests.test_lint_empty import our_message
from tests.test_render_golden import AT, sample_settings

SAMPLE_MORNING = "2026-11-27T07:00:00Z"  # the README's `--at` for the sample project


def run(folder: Path, *args: str) -> Result:
    res = CliRunner().invoke(
        main, [*args, "--config", str(folder / "digest.toml")], env={"COLUMNS": "80"}
    )
    return res


@pytest.fixture
def news(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["init", "news"])
    assert res.exit_code == 0, res.output
    return tmp_path / "news"


def test_init_then_the_readme_build_keeps_every_sample_article(news: Path) -> None:
    # The README: `digest build --at 2026-11-27T07:00:00Z` builds the sample morning.
    # The folder's .txt articles are dated by their modification time, which `init`
    # used to leave at the moment of copying: they were then "from the future" for the
    # sample morning, left out, and a plain `digest build` made an edition of them alone.
    assert run(news, "collect").exit_code == 0  # the README's order: collect, then build
    res = run(news, "build", "--at", SAMPLE_MORNING)
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "0 from the future" in flat, flat
    assert "Amager Vikings snatch late win in handball derby" in flat


def test_a_second_collect_says_the_unchanged_feeds_were_not_modified(news: Path) -> None:
    """The table's "unchanged" column counts articles; a feed that was not modified used
    to show "304" there (an HTTP code, also for a local file), read as 304 articles."""
    assert run(news, "collect").exit_code == 0
    res = run(news, "collect")
    assert res.exit_code == 0, res.output
    rows = [line for line in res.output.splitlines() if "│" in line and "source" not in line]
    assert rows and all("304" not in row for row in rows), res.output
    assert "not modified" in res.output, res.output


def test_init_says_how_to_build_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["init", "news"])
    assert res.exit_code == 0, res.output
    assert "--at 2026-11-27T07:00:00Z" in res.output


def test_editions_and_subscribers_tables_are_whole_in_80_columns(news: Path) -> None:
    assert (
        run(
            news, "subscribers", "import", str(news / "subscribers/daily.csv"), "--list", "daily"
        ).exit_code
        == 0
    )
    assert run(news, "build", "--at", SAMPLE_MORNING).exit_code == 0
    App.from_config(news / "digest.toml").store.set_edition_status(1, "sent", now=AT)
    table = run(news, "editions")
    assert table.exit_code == 0, table.output
    assert "…" not in table.output, table.output
    assert "bounced" in table.output and "complaints" in table.output
    people = run(news, "subscribers", "list", "--list", "daily")
    assert people.exit_code == 0, people.output
    assert "…" not in people.output, people.output
    emails = [
        line.split(",")[0] for line in (news / "subscribers/daily.csv").read_text().splitlines()[1:]
    ]
    for email in filter(None, emails):
        assert email.strip().lower() in people.output.lower(), email


def test_lint_passes_the_double_opt_in_confirmation(tmp_path: Path) -> None:
    # A confirmation is a one-off transactional mail, not a list message: it has no
    # List-Unsubscribe (there is nothing to unsubscribe from yet) and no HTML part.
    app = App(sample_settings(tmp_path))
    visitor = Subscriber(5, "visitor@example.org", "Visitor", "daily")
    data = confirmation_message(app, visitor, now=datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
    errors = [f for f in lint_message(data) if f.level == "error"]
    assert errors == [], errors
    codes = {f.code for f in lint_message(data)}
    assert not codes & {"header-list-id-missing", "mime-no-html"}, codes


def test_lint_still_wants_list_unsubscribe_on_an_edition(tmp_path: Path) -> None:
    data = our_message(tmp_path, stories=True)
    head, _, body = data.partition(b"\r\n\r\n")
    kept = [h for h in head.split(b"\r\n") if not h.lower().startswith(b"list-unsubscribe")]
    found = {f.code: f.level for f in lint_message(b"\r\n".join(kept) + b"\r\n\r\n" + body)}
    assert found.get("header-list-unsubscribe-missing") == "error", found


def test_init_leaves_the_theme_bundled_so_upgrades_reach_the_project(news: Path) -> None:
    """`digest init` used to copy every bundled template into the project, and a copy
    overrides the bundled file for good: a project made before an upgrade never showed
    what the upgrade added to the email (an update's label) or fixed in the desk's
    pages. The project's templates/ now holds only a note on how to override a file;
    `digest init --theme` copies the theme for those who mean to change it."""
    own = sorted(p.relative_to(news).as_posix() for p in (news / "templates").rglob("*"))
    assert own == ["templates/README.md"]
    note = (news / "templates" / "README.md").read_text()
    assert "default/email.html" in note and "--theme" in note
    assert run(news, "build", "--at", SAMPLE_MORNING).exit_code == 0  # the bundled theme


def test_init_theme_copies_the_theme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["init", "--theme", "styled"])
    assert res.exit_code == 0, res.output
    for name in ("email.html", "email.txt", "email.css", "web/desk/edition.html"):
        assert (tmp_path / "styled" / "templates" / name).is_file(), name
