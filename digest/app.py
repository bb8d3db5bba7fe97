"""The one wiring place: builds the real dependencies from the configuration.

The CLI, the scheduler, the web desk, workers and tests all go through :class:`App`;
it holds no state of its own beyond the objects it wires, and it passes `now` into
every stage instead of reading the clock there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from digest.config import Settings, load
from digest.deliver.transports import Transport, make_transport
from digest.dkim import DkimSigner
from digest.gate import Built, TooFewStories
from digest.message import Prepared, personalise, prepare
from digest.records import Article, Edition, SourceReport, SourceSummary, Story, Subscriber
from digest.store import Store
from digest.tokens import Tokens

if TYPE_CHECKING:  # collect, rank and render are imported where used: a collect, or a
    # send worker, needs not load what it does not run
    from digest.rank import RankOptions
    from digest.render import Rendered, Renderer, Variant


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Selection:
    """What a build chose: leads and teasers for everyone, and the sections' reserve."""

    leads: tuple[Story, ...]
    teasers: tuple[Story, ...]
    reserve: tuple[Story, ...]
    #: Articles in none of those stories: key -> why (one of digest.rank.DROP_REASONS).
    left_out: Mapping[str, str] = field(default_factory=dict)

    @property
    def dropped(self) -> dict[str, int]:
        """Articles left out, per reason (every reason, zeros included)."""
        from digest.rank import DROP_REASONS

        counts = dict.fromkeys(DROP_REASONS, 0)
        for reason in self.left_out.values():
            counts[reason] += 1
        return counts


@dataclass(frozen=True, slots=True)
class Preview:
    """What `digest preview` writes: the message exactly as one subscriber gets it."""

    rendered: Rendered
    message: bytes


class App:
    """A newsletter project: its settings and the parts built from them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @classmethod
    def from_config(cls, path: str | Path) -> App:
        return cls(load(path))

    @cached_property
    def store(self) -> Store:
        store = Store(self.settings.database.url)
        store.migrate()
        return store

    @cached_property
    def renderer(self) -> Renderer:
        from digest.render import Renderer

        return Renderer(self.settings)

    @cached_property
    def tokens(self) -> Tokens:
        return Tokens(self.settings.secret_keys)

    def verp_keys(self) -> list[str]:
        """Keys that verify a bounce's VERP tag: the current one first, then the retired
        ones still in their grace window (a bounce can arrive days after the send)."""
        return list(self.settings.secret_keys)

    def envelope_sender(self, edition_id: int, subscriber_id: int) -> str:
        """The envelope sender (MAIL FROM) of one subscriber's copy of an edition.

        With `[bounces] return_path` set, a signed VERP address that names the edition
        and the subscriber; otherwise the newsletter's own address.
        """
        from digest.bounces.verp import envelope_sender
        from digest.message import split_address

        base = self.settings.bounces.return_path
        if base is None:
            return split_address(self.settings.newsletter.sender)[1]
        return envelope_sender(base, edition_id, subscriber_id, self.verp_keys()[0])

    def transport(self) -> Transport:
        return make_transport(self.settings.transport)

    # -- links --------------------------------------------------------------------
    def unsubscribe_url(self, subscriber_id: int) -> str:
        token = self.tokens.make("unsubscribe", subscriber_id)
        return f"{self.settings.newsletter.base_url}/u/{token}"

    def preferences_url(self, subscriber_id: int) -> str:
        token = self.tokens.make("preferences", subscriber_id)
        return f"{self.settings.newsletter.base_url}/p/{token}"

    def confirm_url(self, subscriber_id: int) -> str:
        """The double opt-in link (digest.subscribers.subscribe sends it)."""
        token = self.tokens.make("confirm", subscriber_id)
        return f"{self.settings.newsletter.base_url}/c/{token}"

    # -- stages -------------------------------------------------------------------
    def collect(
        self, *, now: datetime, progress: Callable[[SourceReport], None] | None = None
    ) -> list[SourceReport]:
        from digest import collect as collecting

        return collecting.collect(self.settings.sources, self.store, now=now, progress=progress)

    def rank_options(self, list_name: str) -> RankOptions:
        from digest.rank import RankOptions

        e = self.settings.edition
        return RankOptions(
            leads=e.leads,
            teasers=e.teasers,
            lead_words=e.lead_words,
            teaser_words=e.teaser_words,
            half_life_hours=e.half_life_hours,
            max_leads_per_source=e.max_leads_per_source,
            max_teasers_per_source=e.max_teasers_per_source,
            cluster_window_hours=e.cluster_window_hours,
            max_age_hours=e.max_age_hours,
            weights={s.name: s.weight for s in self.settings.sources},
            already_sent=self.store.sent_keys(list_name),
            section_quotas=dict(e.quotas),
        )

    def build(
        self,
        *,
        list_name: str | None = None,
        now: datetime,
        slot: str | None = None,
        reports: list[SourceReport] | None = None,
    ) -> Edition:
        """Rank the stored articles into a draft edition and store it (see `draft`).

        Raises TooFewStories, storing nothing, when no story is left.
        """
        built = self.draft(list_name=list_name, now=now, slot=slot, reports=reports)
        if built.edition is None:
            raise TooFewStories(f"{built.summary()}; {built.hint()}")
        return built.edition

    def draft(
        self,
        *,
        list_name: str | None = None,
        now: datetime,
        slot: str | None = None,
        reports: list[SourceReport] | None = None,
    ) -> Built:
        """Rank the stored articles into a draft edition, store it, and account for
        every stored article left out. An edition without a story is not stored
        (`Built.edition` is None); one below `[edition] min_stories` is, for an editor
        to complete, and `Built.refusal` says why it may not be sent as it is."""
        lst = self.settings.list(list_name)
        e = self.settings.edition
        articles = self.candidates(now)
        since = self._since(now)
        too_old = self.store.count_articles(before=since) if since is not None else 0
        ranked = self.select(lst.name, articles, now=now)
        dropped = ranked.dropped
        dropped["too_old"] += too_old
        counts: dict[str, int] = {}
        for article in articles:
            counts[article.source] = counts.get(article.source, 0) + 1
        errors = {r.name: r.error for r in reports or ()}
        if reports is None:
            errors = {h.name: h.last_error for h in self.store.health() if h.consecutive_failures}
        sources = tuple(
            SourceSummary(s.name, counts.get(s.name, 0), errors.get(s.name))
            for s in self.settings.sources
        )
        built = Built(
            edition=None,
            articles=len({a.key for a in articles}) + too_old,
            dropped=MappingProxyType(dropped),
            max_age_hours=e.max_age_hours,
            min_stories=e.min_stories,
            sources=sources,
            leads=len(ranked.leads),
            teasers=len(ranked.teasers),
            reserve=len(ranked.reserve),
        )
        if not built.stories:
            return built
        edition = Edition(
            lst.name, now, ranked.leads, ranked.teasers, sources, reserve=ranked.reserve
        )
        return replace(built, edition=self.store.save_edition(edition, now=now, slot=slot))

    def _since(self, now: datetime) -> datetime | None:
        """The oldest an article may be to run at `now` (None: any age)."""
        hours = self.settings.edition.max_age_hours
        return now - timedelta(hours=hours) if hours else None

    def candidates(self, now: datetime) -> list[Article]:
        """The stored articles young enough to be ranked for `now`."""
        return self.store.articles(since=self._since(now))

    def select(
        self,
        list_name: str,
        articles: Sequence[Article],
        *,
        now: datetime,
        options: RankOptions | None = None,
    ) -> Selection:
        """Rank for every subscriber, then for each set of sections subscribers chose.

        The general ranking gives the leads and teasers; each section set's own ranking
        adds, as the reserve, the stories its subscribers get in place of the ones of
        sections they left out (a selection per variant, carried by one edition).
        """
        from digest.rank import rank

        options = options or self.rank_options(list_name)
        ranked = rank(articles, now=now, options=options)
        seen = {k for story in ranked.leads + ranked.teasers for k in story.keys}
        reserve: list[Story] = []
        for sections in self.store.section_sets(list_name):
            own = rank(articles, now=now, options=replace(options, sections=sections))
            for story in own.leads + own.teasers:
                if not seen & set(story.keys):
                    reserve.append(story)
                    seen.update(story.keys)
        reserve.sort(key=lambda s: (-s.score, s.key))
        left_out = {k: why for k, why in ranked.left_out.items() if k not in seen}
        return Selection(ranked.leads, ranked.teasers, tuple(reserve), left_out)

    def variant_for(self, subscriber: Subscriber) -> tuple[Variant, bool]:
        from digest.render import Variant

        sections = frozenset(subscriber.sections) if subscriber.sections else None
        return Variant(sections), subscriber.format == "text"

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
        """Encode one variant once (rendering it unless `rendered` is given)."""
        assert edition.id is not None
        lst = self.settings.list(edition.list)
        news = self.settings.newsletter
        return prepare(
            rendered or self.renderer.render(edition, variant),
            sender=news.sender,
            list_name=lst.name,
            list_title=lst.title or news.name,
            edition_id=edition.id,
            date=now,
            text_only=text_only,
            reply_to=news.reply_to,
            test=test,
            dkim=DkimSigner.from_settings(news.dkim, self.settings.path),
        )

    def message_for(self, prepared: Prepared, edition_id: int, subscriber: Subscriber) -> bytes:
        return personalise(
            prepared,
            edition_id=edition_id,
            subscriber_id=subscriber.id,
            email=subscriber.email,
            name=subscriber.name,
            unsubscribe_url=self.unsubscribe_url(subscriber.id),
            preferences_url=self.preferences_url(subscriber.id),
        )

    def preview(self, edition_id: int, *, email: str | None, now: datetime) -> Preview:
        edition = self.store.edition(edition_id)
        subscriber = None
        if email is not None:
            subscriber = self.store.subscriber(edition.list, email.strip())
            if subscriber is None:
                from digest.errors import NotFound

                raise NotFound(f"{email}: not a subscriber of list {edition.list!r}")
        if subscriber is None:
            subscriber = Subscriber(0, "preview@example.invalid", "Preview", edition.list)
        variant, text_only = self.variant_for(subscriber)
        rendered = self.renderer.render(edition, variant)
        prepared = self.prepare(edition, variant, text_only, now=now, rendered=rendered)
        return Preview(rendered, self.message_for(prepared, edition_id, subscriber))
