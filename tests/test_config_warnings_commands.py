"""A digest.toml that loads but almost surely says something its author did not mean
(here `{{lead}}` in the subject) is warned of, once, by every command that reads it:
those that open the whole application and those that read the file themselves
(`digest keys`, `digest database`, `digest worker`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from tests.conftest import write_project


def _project(tmp_path: Path, subject: str) -> Path:
    config = write_project(tmp_path / "news", sources="")
    text = config.read_text().replace(
        'name = "The Test Brief"\n', f'name = "The Test Brief"\nsubject = "{subject}"\n', 1
    )
    config.write_text(text)
    return config


COMMANDS = [
    ["keys", "status"],
    ["database", "copy", "--to", "sqlite:///copy.db"],
    ["worker"],  # refused (no [queue] broker), after the file is read
    ["schedule"],  # through the application, as before
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_every_command_that_reads_the_file_warns_once(tmp_path: Path, command: list[str]) -> None:
    config = _project(tmp_path, "{{lead}} - {name}")
    result = CliRunner().invoke(main, [*command, "--config", str(config)])
    flat = " ".join(result.output.split())
    said = f"warning: {config}:4: newsletter.subject '{{{{lead}}}} - {{name}}' sends the text"
    assert flat.count(said) == 1, result.output
    assert "write {lead} with single braces" in flat


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_a_file_without_a_mistake_gives_no_warning(tmp_path: Path, command: list[str]) -> None:
    config = _project(tmp_path, "{lead} | {name}")
    result = CliRunner().invoke(main, [*command, "--config", str(config)])
    assert "newsletter.subject" not in result.output, result.output
