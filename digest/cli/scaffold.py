"""What `digest init` and `digest demo` put in a new project folder: the sample
newsletter's config, sources and subscribers, and (on request) the theme.

Job: copy the bundled sample project, dating its sample articles to the sample morning.
Must not: overwrite a project (the commands check), or copy the theme unasked (a copied
template overrides the bundled one for good: see THEME_NOTE).
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

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


def copy_project(target: Path, morning: datetime, *, templates: bool = True) -> None:
    """The sample project in `target`, its articles filed the evening before `morning`."""
    from digest.render import default_project

    src = default_project()
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
