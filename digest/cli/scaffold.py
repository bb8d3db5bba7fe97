"""What `digest init` and `digest demo` put in a new project folder: the sample
newsletter's config, sources and subscribers, and (on request) the theme.

Job: copy the bundled sample project, dating its sample articles to the sample morning.
Must not: overwrite a project (:func:`check_new_project` and :func:`check_demo_folder`
refuse a folder that holds one), or copy the theme unasked (a copied template overrides
the bundled one for good: see THEME_NOTE).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from digest.errors import DigestError

#: The file `digest demo` leaves in its folder: only a folder holding it (or an empty
#: or new one) is the demo's to empty again. Without it, a `--out` naming the
#: operator's own project deleted its database (the record of consent) and config.
DEMO_MARK = ".digest-demo"

#: templates/README.md of a new project: the theme stays bundled, so upgrades reach it.
THEME_NOTE = """\
# This project's templates

The email theme and the web pages come with digest; a file put here overrides the
bundled file of the same name (`email.html`, `email.txt`, `email.css`,
`email-responsive.css`, `web/...`). Override only what you change: a copied file keeps
its version for good, and what later releases add or fix in it never reaches you.

A template can extend the one it replaces, changing only a block:

    {% extends "default/email.html" %}

`digest init --theme DIR` scaffolds a project with the whole theme copied here.
"""


def project_files(*, templates: bool) -> list[str]:
    """The files (relative, POSIX) a new project gets: config, samples, a theme note or
    (`templates`) the whole theme."""
    from digest.render import default_project

    src = default_project()
    names = ("sources", "subscribers") + (("templates",) if templates else ())
    files = [
        f.relative_to(src).as_posix() for n in names for f in (src / n).rglob("*") if f.is_file()
    ]
    return ["digest.toml", *sorted(files), *([] if templates else ["templates/README.md"])]


def check_new_project(target: Path, *, templates: bool) -> None:
    """Refuse a folder holding any file `digest init` would write (nothing is written)."""
    taken = [name for name in project_files(templates=templates) if (target / name).exists()]
    if taken:
        shown = ", ".join(taken[:5]) + (f" and {len(taken) - 5} more" if len(taken) > 5 else "")
        raise DigestError(
            f"{target}: already holds {shown}; not overwritten (nothing was written). "
            "`digest init` makes a project in a new folder or one without these files"
        )


def check_demo_folder(target: Path) -> None:
    """Refuse a folder the demo did not make: it would delete its digest.db and outbox."""
    if not target.is_dir() or (target / DEMO_MARK).is_file() or not any(target.iterdir()):
        return
    if _earlier_demo(target):
        return
    raise DigestError(
        f"{target}: not a folder `digest demo` made (no {DEMO_MARK} in it); the demo "
        "replaces the digest.toml, digest.db, outbox and preview it finds, so it runs only "
        "in a new or empty folder or its own: give another --out (default: digest-demo)"
    )


def _earlier_demo(target: Path) -> bool:
    """A demo folder of a release that left no mark: its edition.json (which only the
    demo writes) beside the bundled digest.toml, unedited."""
    from digest.render import default_project

    config = target / "digest.toml"
    if not (target / "edition.json").is_file() or not config.is_file():
        return False
    bundled = (default_project() / "digest.toml").read_bytes()
    return any(config.read_bytes() == ours for ours in (bundled, _with_old_title(bundled)))


def _with_old_title(sample: bytes) -> bytes:
    """The sample config as releases before this one wrote it: its list titled with the
    newsletter's name (which left a renamed newsletter under the old title)."""
    return sample.replace(
        b'name = "daily"\n# title = "..."  # shown in the masthead, footer and List-Id; '
        b"unset: [newsletter] name\n",
        b'name = "daily"\ntitle = "The Copenhagen Brief"\n',
        1,
    )


@contextmanager
def cannot_create(target: Path) -> Iterator[None]:
    """An OSError while writing the project (no such parent, a file in the way, no
    permission, a full disk) as a DigestError naming the folder: no traceback."""
    try:
        yield
    except shutil.Error as exc:  # copytree's, one per file that failed
        first = exc.args[0][0] if exc.args and exc.args[0] else ("", "", str(exc))
        raise DigestError(f"cannot create {target}: {first[1]}: {first[2]}") from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename and Path(exc.filename) != target else ""
        raise DigestError(f"cannot create {target}: {where}{exc.strerror or exc}") from None


def copy_project(target: Path, morning: datetime, *, templates: bool = True) -> None:
    """The sample project in `target`, its articles filed the evening before `morning`."""
    from digest.render import default_project

    src = default_project()
    with cannot_create(target):
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / "digest.toml", target / "digest.toml")
        for name in ("sources", "subscribers") + (("templates",) if templates else ()):
            shutil.copytree(src / name, target / name, dirs_exist_ok=True)
    # The sample articles were filed the evening before the sample morning, not when
    # digest was installed or the project copied (a folder source dates a .txt file by
    # its modification time): otherwise they rank as new today, and as "from the
    # future" for the sample morning.
    stamp = morning.timestamp() - 8 * 3600
    for file in (src / "sources" / "articles").iterdir():
        if (copy := target / "sources" / "articles" / file.name).is_file():
            os.utime(copy, (stamp, stamp))


def write_theme_note(target: Path) -> None:
    """templates/README.md (:data:`THEME_NOTE`) in a project whose theme stays bundled."""
    with cannot_create(target):
        (target / "templates").mkdir(exist_ok=True)
        (target / "templates" / "README.md").write_text(THEME_NOTE)
