"""The one wiring place: builds a project's parts from its settings, and nothing else.

:class:`App` builds the :class:`~digest.store.Store` (migrated), the
:class:`~digest.render.Renderer`, the :class:`~digest.tokens.Tokens` and the
subscribers' :class:`~digest.compose.Links`, the :class:`~digest.dkim.DkimSigner` and
a transport, from one :class:`~digest.config.Settings`. The work is in the stages,
which take the parts they need as arguments: :mod:`digest.collect`,
:mod:`digest.build` (rank into a draft), :mod:`digest.compose` (one subscriber's
copy), :mod:`digest.deliver`. The methods below that name a stage only hand it this
project's parts (for the CLI, the scheduler, the desk, the send workers and tests);
they decide nothing. A send worker's App (:class:`digest.deliver.queue.WorkerApp`)
keeps a transport and prepared variants. The App holds no state beyond the parts it
built, and never reads the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from digest.config import Settings, load
from digest.errors import StoreUnavailable
from digest.revision import sqlite_file

if TYPE_CHECKING:  # collect, build (rank), render, compose, DKIM, the transports and the
    # tokens are imported where used: a collect, or a send worker, needs not load what
    # it does not run (`digest collect` would load the e-mail and signing code for nothing)
    from digest.compose import Links, Preview
    from digest.deliver.transports import Transport
    from digest.dkim import DkimSigner
    from digest.gate import Built
    from digest.images import Hosted
    from digest.keys import SecretKeys
    from digest.message import Prepared
    from digest.records import Edition, SourceReport, Subscriber
    from digest.render import Rendered, Renderer, Variant
    from digest.retention import Pruned
    from digest.store import Store  # SQLAlchemy: loaded when the store is first used
    from digest.tokens import Tokens

__all__ = ["App", "Preview", "utcnow"]


def __getattr__(name: str) -> object:
    if name == "Preview":  # a public name of this module, loaded when asked for
        from digest.compose import Preview

        return Preview
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def utcnow() -> datetime:
    return datetime.now(UTC)


def missing_database(settings: Settings) -> str | None:
    """Why the project's SQLite file is not there to read: one line naming the file
    looked for, the file and key that named it, and the commands that create one; None
    when it exists, or the database is not a plain SQLite file (PostgreSQL says itself
    that a database does not exist)."""
    path = sqlite_file(settings.database.url)
    if path is None or path.exists():
        return None
    return (
        f"{path}: no such database file ([database] url in {settings.path}; a relative "
        "path is resolved against that file's folder, digest.db when not set); nothing "
        "was created. Is the url misspelt, or --config another project's file? "
        "`digest subscribers import`, `digest collect` or `digest build` create a new "
        "project's database (`digest init DIR` scaffolds a project)"
    )


def _migrated(url: str) -> Store:
    """The store, its schema brought to the newest migration (SQLAlchemy loaded now)."""
    from digest.store import Store

    store = Store(url)
    store.migrate()
    return store


class App:
    """A newsletter project: its settings and the parts built from them."""

    def __init__(self, settings: Settings, *, creates: bool = True) -> None:
        self.settings = settings
        #: False: a SQLite database file that is not there is refused
        #: (:func:`missing_database`), never created empty: the App of a command
        #: that only reads or acts on stored data, where an empty new file (a misspelt
        #: `[database] url`, another project's `--config`) looked like lost data.
        self.creates = creates

    @classmethod
    def from_config(cls, path: str | Path, *, creates: bool = True) -> App:
        return cls(load(path), creates=creates)

    def close(self) -> None:
        """Close the store's connections, if it was opened. On SQLite the last one to
        close writes the write-ahead log back into the database file, so a copy of
        `digest.db` taken after a command holds everything the command stored."""
        store = self.__dict__.pop("store", None)
        if store is not None:
            store.close()

    # -- the parts ----------------------------------------------------------------------
    @cached_property
    def store(self) -> Store:
        if not self.creates and (missing := missing_database(self.settings)):
            raise StoreUnavailable(missing)  # before anything connects: nothing is created
        return _migrated(self.settings.database.url)

    @cached_property
    def renderer(self) -> Renderer:
        from digest.render import Renderer

        return Renderer(self.settings)

    @cached_property
    def keys(self) -> SecretKeys:
        """The keys that sign and verify subscribers' links (and the desk's sessions),
        once the database knows them (:func:`digest.keyguard.signing_keys`: a key file
        is made only for a project that sent nothing yet, and a key the database does
        not know is refused before anything is signed). Read once per App: a rotation
        reaches a running process when it restarts."""
        from digest.keyguard import signing_keys

        return signing_keys(self.settings.root, self.store, now=utcnow())

    @cached_property
    def tokens(self) -> Tokens:
        from digest.tokens import Tokens

        return Tokens(self.keys.all)

    @cached_property
    def links(self) -> Links:
        from digest.compose import Links

        return Links(self.tokens, self.settings.newsletter.base_url)

    def transport(self) -> Transport:
        from digest.deliver.transports import make_transport

        return make_transport(self.settings.transport)

    def dkim(self) -> DkimSigner | None:
        """The `[newsletter.dkim]` signer (None without one), its keys read afresh each
        time a variant is prepared."""
        from digest.dkim import DkimSigner

        return DkimSigner.from_settings(self.settings.newsletter.dkim, self.settings.path)

    def verp_keys(self) -> list[str]:
        """Keys that verify a bounce's VERP tag: the current one first, then the retired
        ones still in their grace window (a bounce can arrive days after the send)."""
        return list(self.keys.all)

    # -- the stages, handed this project's parts ----------------------------------------
    def collect(
        self, *, now: datetime, progress: Callable[[SourceReport], None] | None = None
    ) -> list[SourceReport]:
        """:func:`digest.collect.collect` of every configured source into the store (an
        unchanged SQLite project's, before the store is opened, without it:
        :func:`digest.collect.collect_project`)."""
        from digest import collect as collecting

        opened = "store" in self.__dict__  # the cached property was used
        return collecting.collect_project(
            self.settings, lambda: self.store, opened=opened, now=now, progress=progress
        )

    def draft(
        self,
        *,
        list_name: str | None = None,
        now: datetime,
        slot: str | None = None,
        reports: Sequence[SourceReport] | None = None,
    ) -> Built:
        """:func:`digest.build.draft`: rank into a stored draft, and account for the rest."""
        from digest import build

        parts = (self.store, self.settings)
        return build.draft(
            *parts, list_name=list_name, now=now, slot=slot, reports=reports, host=self.host
        )

    def build(
        self,
        *,
        list_name: str | None = None,
        now: datetime,
        slot: str | None = None,
        reports: Sequence[SourceReport] | None = None,
    ) -> Edition:
        """:func:`digest.build.build`: a stored draft, or TooFewStories."""
        from digest import build

        parts = (self.store, self.settings)
        return build.build(
            *parts, list_name=list_name, now=now, slot=slot, reports=reports, host=self.host
        )

    def host(self, edition: Edition, now: datetime) -> tuple[Edition, Hosted]:
        """:func:`digest.images.host_edition`: the stories' pictures fetched and kept, as
        `[newsletter] images` says. `now` is the edition's time, which a build may give
        (`digest build --at`); the clock's bounds when the pictures are kept as fetched."""
        from digest import images

        return images.host_edition(edition, self.store, self.settings, now=now, clock=utcnow)

    def prune(self, *, now: datetime, dry_run: bool = False) -> Pruned:
        """:func:`digest.retention.prune_project`: empty old articles' bodies (`[database]
        keep_days`); a dry run opens no store that is not there yet (an App that does not
        create one refuses it, as every use of its store does)."""
        from digest import retention

        opened = "store" in self.__dict__ or not self.creates
        return retention.prune_project(
            self.settings, lambda: self.store, opened=opened, now=now, dry_run=dry_run
        )

    def variant_for(self, subscriber: Subscriber) -> tuple[Variant, bool]:
        from digest import compose

        return compose.variant_for(subscriber, self.settings.sections)

    def prepare(
        self,
        edition: Edition,
        variant: Variant,
        text_only: bool,
        *,
        now: datetime,
        test: bool = False,
        rendered: Rendered | None = None,
    ) -> Prepared:
        """:func:`digest.compose.prepare`, rendering the variant unless `rendered` is given."""
        from digest import compose

        rendered = rendered or self.renderer.render(edition, variant)
        return compose.prepare(
            self.settings, rendered, edition, text_only, dkim=self.dkim(), now=now, test=test
        )

    def message_for(self, prepared: Prepared, edition_id: int, subscriber: Subscriber) -> bytes:
        from digest import compose

        return compose.message_for(prepared, edition_id, subscriber, self.links)

    def envelope_sender(self, edition_id: int, subscriber_id: int) -> str:
        from digest import compose

        key = self.keys.current if self.settings.bounces.return_path else ""  # VERP only
        return compose.envelope_sender(self.settings, edition_id, subscriber_id, key)

    def preview(self, edition_id: int, *, email: str | None, now: datetime) -> Preview:
        from digest import compose

        parts = (self.store, self.renderer, self.settings, self.links)
        return compose.preview(*parts, edition_id, dkim=self.dkim(), email=email, now=now)
