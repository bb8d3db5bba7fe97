"""A Markdown file's front matter: its fields, and the line each is on.

YAML reads ``date: 2026-11-26`` as a date itself; one that is no day
(``date: 2026-13-45``) stays text here, so that the folder reports it as the date it
cannot read, on its line, like any other (YAML's error stopped the whole front matter,
naming neither). Must not: interpret the fields (:mod:`digest.collect.folder` does).
"""

from __future__ import annotations

import re
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler


class _Loader(yaml.SafeLoader):  # type: ignore[misc]
    """YAML's safe loader, a timestamp that is no time kept as its text."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


class _Handler(YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        return yaml.load(fm, Loader=_Loader)


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The fields and the content of `text`; ValueError or yaml.YAMLError when its front
    matter cannot be read."""
    handler = _Handler()
    post = frontmatter.loads(text, handler=handler if handler.detect(text.strip()) else None)
    return dict(post.metadata), post.content


def key_line(text: str, key: str) -> int | None:
    """The line (1 is the first) where the front matter of `text` gives `key`."""
    pattern = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*[:=]")
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip()), None)
    if start is None:
        return None
    boundary = lines[start].strip()
    for n in range(start + 1, len(lines)):
        if lines[n].strip() == boundary:
            return None
        if pattern.match(lines[n]):
            return n + 1
    return None
