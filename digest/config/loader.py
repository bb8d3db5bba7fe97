"""Read `digest.toml` into :class:`~digest.config.settings.Settings`: the file, then each
table in turn, then the keys left over.

The first problem found is raised as a ConfigError naming the file, the key and what is
allowed; a signing key beside the file that is too short is refused here too. Tables
are read by :mod:`digest.config.newsletter` and :mod:`digest.config.services`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from digest import keys
from digest.config import freshness
from digest.config.checks import REQUIRED, Table
from digest.config.hints import hints
from digest.config.newsletter import (
    check_one_source_a_feed,
    read_edition,
    read_list,
    read_newsletter,
    read_source,
)
from digest.config.services import (
    read_bounces,
    read_database,
    read_queue,
    read_serve,
    read_transport,
)
from digest.config.settings import Settings, newsroom_zone
from digest.errors import ConfigError


def load(path: str | Path) -> Settings:
    """Read and check a configuration file; raise ConfigError naming what is wrong."""
    file = Path(path).resolve()
    try:
        # utf-8-sig: a byte-order mark (Windows Notepad writes one) is not TOML; it is dropped
        raw = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(
            f"{file}: no such configuration file (digest init DIR makes one)"
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    top = Table(file, "", raw)
    news = read_newsletter(file, top.get("newsletter", dict, REQUIRED, "a [newsletter] table"))
    srcs = top.get("sources", list, [], "an array of [[sources]] tables")
    edition = read_edition(file, top.get("edition", dict, {}, "an [edition] table"))
    raw_lists = top.get("lists", list, [], "an array of [[lists]] tables")
    lists = tuple(read_list(file, i, x) for i, x in enumerate(raw_lists))
    if not lists:
        raise ConfigError(f"{file}: at least one [[lists]] table is needed")
    if len({x.name for x in lists}) != len(lists):
        raise ConfigError(f"{file}: list names must be unique")
    freshness.check(file, lists, edition)  # a schedule that can never send fresh news
    # The newsroom's zone, for dates written without an offset: the lists' own, when
    # they share one (a source's `timezone` says otherwise).
    zone = newsroom_zone(lists)
    sources = tuple(read_source(file, i, s, zone) for i, s in enumerate(srcs))
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ConfigError(f"{file}: two sources are named {dup!r}; names must be unique")
    check_one_source_a_feed(file, sources)
    transport = read_transport(file, top.get("transport", dict, {}, "a [transport] table"))
    database = read_database(file, top.get("database", dict, {}, "a [database] table"), edition)
    queue = read_queue(file, top.get("queue", dict, {}, "a [queue] table"))
    serve = read_serve(file, top.get("serve", dict, {}, "a [serve] table"))
    bounces = read_bounces(file, top.get("bounces", dict, {}, "a [bounces] table"))
    top.done()
    keys.load_keys(file.parent, create=False)  # a short or empty key: refused at once
    return Settings(
        file,
        news,
        sources,
        edition,
        lists,
        transport,
        database,
        queue,
        serve,
        bounces,
        warnings=hints(file, news, lists),
    )
