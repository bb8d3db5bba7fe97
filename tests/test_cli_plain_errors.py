"""What `digest init` and `digest lint` say when given what they cannot use: one plain
line naming the path, never a traceback or a page of findings."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.lint import lint_message


def _init(target: Path | str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["init", str(target)])
    assert not isinstance(result.exception, OSError), result.exception  # no traceback
    return result.exit_code, result.output


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_init_where_no_folder_can_be_made() -> None:
    code, output = _init("/proc/nope")
    assert code != 0
    assert "cannot create /proc/nope:" in output
    assert "Traceback" not in output and "Created" not in output


def test_init_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    code, output = _init(tmp_path / "notes.txt" / "news")
    assert code != 0
    assert f"cannot create {tmp_path / 'notes.txt' / 'news'}: " in output
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


def test_init_in_a_new_folder_still_works(tmp_path: Path) -> None:
    code, output = _init(tmp_path / "news")
    assert code == 0, output
    assert (tmp_path / "news" / "digest.toml").is_file()


def _lint(*paths: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["lint", *map(str, paths)])
    return result.exit_code, result.output.splitlines()


def test_lint_of_a_binary_file_is_one_error(tmp_path: Path) -> None:
    binary = tmp_path / "picture.eml"
    binary.write_bytes(Path(sys.executable).read_bytes()[:4096])
    code, lines = _lint(binary)
    assert code == 1
    assert lines == [f"{binary}: error not-a-message: Not an email message: it holds binary data."]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "the file is empty"),
        (b"# My notes\nnothing: here\n", "its first line is not a header"),
        (b"<!doctype html><p>Hi</p>\n", "its first line is not a header"),
    ],
)
def test_what_is_not_a_message_is_said_once(data: bytes, why: str) -> None:
    (finding,) = lint_message(data)
    assert finding.code == "not-a-message" and finding.level == "error"
    assert why in finding.message


def test_a_message_is_still_linted_in_full(tmp_path: Path) -> None:
    """An mbox `From ` line or a bare message with bad headers: the usual findings."""
    for data in (b"From someone Sat Dec 5\nSubject: hi\n\nbody\n", b"Subject: hi\n\nbody\n"):
        codes = {f.code for f in lint_message(data)}
        assert "not-a-message" not in codes and "header-from" in codes
