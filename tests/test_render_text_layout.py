"""The plain-text part's layout as a subscriber's client shows it: text in wide
characters fits the line's columns, not its character count, and Korean is folded at
its spaces.

Each edition is built from a feed written here (parsed, ranked, rendered, prepared and
personalised as a real one is) and read back from the message's bytes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from digest.collect.feeds import parse_feed
from digest.rank import RankOptions, rank
from digest.records import Edition
from tests.test_render_golden import sample_edition
from tests.test_render_text_reading import _message, _plain, unflow

NOW = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)
SHORT_URL = "https://news.example.org/b"


def _edition(tmp_path: Path, items: list[tuple[str, str, str]]) -> Edition:
    """An edition of the stories of a feed of (title, summary, link) items."""
    body = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>{escape(summary)}</description><guid>{escape(link)}</guid>"
        f"<pubDate>Fri, 27 Nov 2026 0{n}:00:00 GMT</pubDate></item>"
        for n, (title, summary, link) in enumerate(items)
    )
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Harbour News</title><link>https://news.example.org/</link>{body}"
        "</channel></rss>"
    )
    path = tmp_path / "feed.rss"
    path.write_text(feed, encoding="utf-8")
    articles = parse_feed(path.read_bytes(), source="Harbour News", url=None, now=NOW)
    ranked = rank(list(articles), now=NOW, options=RankOptions(leads=1, max_leads_per_source=1))
    assert ranked.leads and ranked.teasers
    return replace(sample_edition(), leads=ranked.leads, teasers=ranked.teasers)


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


# -- a label and its link ---------------------------------------------------------------------


ZH = (
    "国际货币基金组织（IMF）警告说，尽管各国政府采取措施刺激经济，"
    "但全球经济恢复速度正在减弱。各国央行需要继续保持宽松的货币政策，以支持经济复苏。"
)
KO = (
    "올해 서울시는 목요일 새로운 지하철 노선 건설 계획을 발표했다. 이 노선은 2030년에 개통될 "
    "예정이며, 시는 하루 40만 명이 이용할 것으로 내다봤다. 시민 단체는 환영의 뜻을 밝혔다."
)

ZH_TITLE = "全球经济恢复速度减弱，国际货币基金组织呼吁各国央行继续保持宽松的货币政策以支持复苏"
KO_TITLE = "서울시 새 지하철 노선 건설 계획 발표, 2030년 개통 예정"


def _wide_edition(tmp_path: Path) -> Edition:
    return _edition(
        tmp_path,
        [
            (ZH_TITLE, ZH, SHORT_URL),
            (KO_TITLE, KO, SHORT_URL + "2"),
            ("ﾆｭｰｽ ｿｸﾎｳ", "ﾄｳｷｮｳﾄﾊﾓｸﾖｳﾋﾞﾆｱﾀﾗｼｲﾁｶﾃﾂﾛｾﾝﾉｹﾝｾﾂｹｲｶｸｦﾊｯﾋﾟｮｳｼﾀ" * 3, SHORT_URL + "3"),
        ],
    )


def test_wide_text_fits_78_columns(tmp_path: Path) -> None:
    # A Chinese or Korean character takes two columns of a fixed-width screen: folded by
    # characters, such lines ran far past the edge. Half-width katakana, one column
    # each and written without spaces, must be folded between its characters too.
    _, text = _plain(_message(tmp_path, _wide_edition(tmp_path)))
    wide = [line for line in text.split("\n") if _columns(line) > 78 and "://" not in line]
    assert wide == [], text
    assert "".join(text.split()).count("ﾄｳｷｮｳﾄﾊ") == 3  # nothing lost


def test_korean_is_folded_at_its_spaces_not_inside_a_word(tmp_path: Path) -> None:
    # Korean is written with spaces between words: a line broken inside "2030년에"
    # split the word, and with a hard break there a reflowing client could not join it
    # again. Chinese may still break between any two characters.
    _, text = _plain(_message(tmp_path, _wide_edition(tmp_path)))
    lines = text.split("\n")
    shown = KO.rsplit(" 시민", 1)[0]  # a teaser's summary: its first two sentences
    assert any(shown in line for line in unflow(text)), text  # whole again, word for word
    korean_words = {*KO.split(), *KO_TITLE.split()}
    for line in lines:
        if re.search(r"[\uac00-\ud7a3]", line):
            for word in line.split():
                assert word in korean_words or not re.search(r"[\uac00-\ud7a3]", word), line
    chinese = [line for line in lines if re.search(r"[\u4e00-\u9fff]", line)]
    assert len(chinese) >= 3  # the summary is folded into several lines
    assert all(_columns(line) <= 78 for line in chinese), chinese
