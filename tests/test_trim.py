"""Summaries end at a sentence boundary within their word budget (digest.wording.trim)."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from digest.wording.trim import (
    ELLIPSIS,
    count_words,
    join_paragraphs,
    sentence_ends,
    shout,
    trim,
)

STOPS = (".", "!", "?", "…", "‼", "⁇", "⁈", "⁉", *"。！？｡۔؟।॥։።፧။།។")
#: Full stops a whole text may be closed with, by script (see digest.wording.trim._close).
CLOSING_STOPS = ".。।։።။།។۔"
NEEDS_NO_STOP = re.compile(
    r"(?:[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff][\u200d\ufe0f]*"
    r"|(?:^|\s)(?:[a-z][a-z0-9+.-]*://|www\.)\S+|[\u0e00-\u0eff]|[;\u037e])$",
    re.IGNORECASE,
)
CLOSERS = "\"'”’»›)]}」』】〕〉》）"


def ends_a_sentence(text: str) -> bool:
    """Ends with a stop, or is a whole text or sentence that needs none (emoji, URL, Thai)."""
    return text.rstrip(CLOSERS).endswith(STOPS) or bool(NEEDS_NO_STOP.search(text))


@pytest.mark.parametrize(
    ("text", "budget", "expected"),
    [
        # abbreviations, initials and decimals are not sentence ends
        (
            "Mr. Smith met Dr. Jones in the U.S. capital. They talked for hours.",
            10,
            "Mr. Smith met Dr. Jones in the U.S. capital.",
        ),
        (
            "Some fruits, e.g. apples, are red. Others are green.",
            6,
            "Some fruits, e.g. apples, are red.",
        ),
        ("J. K. Rowling wrote a new book. It sold well.", 7, "J. K. Rowling wrote a new book."),
        ("Growth was 3.5 percent last year. Prices rose.", 6, "Growth was 3.5 percent last year."),
        ("It was No. 5 on the list. Then came more.", 8, "It was No. 5 on the list."),
        (
            "Gov. Noem spoke at 5 p.m. on Monday. Critics laughed.",
            8,
            "Gov. Noem spoke at 5 p.m. on Monday.",
        ),
        # closing quotes and brackets stay with their sentence
        ('He said: "We are done." Then he left the room.', 6, 'He said: "We are done."'),
        ("She said “it is over.” Nobody answered her.", 6, "She said “it is over.”"),
        ("(The vote was close.) The bill passed anyway.", 5, "(The vote was close.)"),
        ("Really? Yes! Wait… What happened next surprised us.", 4, "Really? Yes! Wait…"),
        # CJK: no spaces, every character counts as a word
        ("今天天气很好。明天会下雨。后天呢？", 8, "今天天气很好。"),
        ("今天天气很好。明天会下雨。后天呢？", 12, "今天天气很好。明天会下雨。"),
        ("東京は晴れ！大阪は雨。", 6, "東京は晴れ！"),
        ("他说：「我们到了。」然后走了。", 8, "他说：「我们到了。」"),
        # a first sentence over budget is cut at a word boundary and ends with "…"
        (
            "A remarkably long opening sentence goes on and on. Short.",
            4,
            "A remarkably long opening…",
        ),
        ("One, two, three, four, five, six.", 3, "One, two, three…"),
        ("今天天气非常非常好。", 4, "今天天气…"),
        # exact budget
        ("Exactly five words are here. And then more words.", 5, "Exactly five words are here."),
        ("Exactly five words are here. And then more words.", 4, "Exactly five words are…"),
        ("Exactly five words are here.", 5, "Exactly five words are here."),
        # within budget: whitespace folded, returned as is
        ("  Hello   world.\n\n Bye now.  ", 10, "Hello world. Bye now."),
        ("The U.S.", 5, "The U.S."),
        # within budget without final punctuation (a standfirst): closed, not "cut"
        ("Breaking news from the harbour", 10, "Breaking news from the harbour."),
        ("今天天气很好", 10, "今天天气很好。"),
        ("The council said:", 10, "The council said…"),
        ("", 10, ""),
        ("   ", 10, ""),
        ("Anything at all.", 0, ""),
    ],
)
def test_examples(text: str, budget: int, expected: str) -> None:
    assert trim(text, budget) == expected


def test_max_sentences_for_teasers() -> None:
    text = "One thing happened. Another followed. A third came. Then silence."
    assert trim(text, 40, max_sentences=2) == "One thing happened. Another followed."
    assert trim(text, 4, max_sentences=2) == "One thing happened."
    assert trim("Only one.", 40, max_sentences=2) == "Only one."
    with pytest.raises(ValueError, match="max_sentences"):
        trim(text, 10, max_sentences=0)


def test_sentence_ends_and_word_count() -> None:
    text = "Mr. Lee left at 3.5 p.m. today. He said “fine.” 好的。Next"
    assert [text[:end] for end in sentence_ends(text)] == [
        "Mr. Lee left at 3.5 p.m. today.",
        "Mr. Lee left at 3.5 p.m. today. He said “fine.”",
        "Mr. Lee left at 3.5 p.m. today. He said “fine.” 好的。",
    ]
    assert count_words("Hello world") == 2
    assert count_words("今天天气") == 4
    assert count_words("DeepMind新电脑") == 4


WORDS = st.sampled_from(
    re.findall(
        r"\S+",
        "the a Mr. Dr. U.S. e.g. J. 3.5 No. 5 news city council vote said “quote.” (aside) "
        "end. done! why? wait… — , ; 今天 天气很好。 明天！ 「好。」 über café naïve",
    )
)
SPACES = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", "\t"])


@st.composite
def texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.one_of(WORDS, st.text(min_size=1, max_size=8)), max_size=80))
    out = draw(SPACES) if draw(st.booleans()) else ""
    for word in words:
        out += word + draw(SPACES)
    return out


@settings(max_examples=300, deadline=None)
@given(
    text=texts(),
    budget=st.integers(min_value=0, max_value=60),
    sentences=st.one_of(st.none(), st.integers(min_value=1, max_value=3)),
)
@example(text="A b c.", budget=3, sentences=None)
@example(text="\u2026 \u2026", budget=1, sentences=None)
@example(text="A end. Done! B end. C", budget=60, sentences=2)
def test_properties(text: str, budget: int, sentences: int | None) -> None:
    result = trim(text, budget, max_sentences=sentences)
    folded = join_paragraphs(text)
    if not folded or budget == 0:
        assert result == ""
        return
    # within the word budget, counted both ways
    assert len(result.split()) <= budget
    assert count_words(result) <= budget
    # a prefix of the input, modulo whitespace and an added "…"
    assert (
        folded.startswith(result)
        or (result.endswith(ELLIPSIS) and folded.startswith(result[: -len(ELLIPSIS)]))
        or (result[-1:] in CLOSING_STOPS and folded == result[:-1])
        or result == folded
    )
    # ends a sentence, or says it was cut
    assert ends_a_sentence(result)
    # at most the sentences asked for (an added "…" marks a cut, not a sentence, and a
    # shout, "Done!", is none either)
    if sentences is not None:
        ends = sentence_ends(result.removesuffix(ELLIPSIS))
        said = [e for s, e in zip([0, *ends], ends, strict=False) if not shout(result[s:e])]
        assert len(said) <= sentences
    # trimming is idempotent
    assert trim(result, budget, max_sentences=sentences) == result


@settings(max_examples=300, deadline=None)
@given(text=texts())
def test_joined_paragraphs_only_add_a_stop_at_a_paragraph_end(text: str) -> None:
    """The one-line text trim works on is the input, whitespace folded, with at most one
    full stop added at the end of each paragraph but the last, and only where that
    paragraph did not end a sentence already."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n[^\S\n]*\n", text)]
    paragraphs = [p for p in paragraphs if p]
    rest = join_paragraphs(text)
    for n, paragraph in enumerate(paragraphs):
        assert rest.startswith(paragraph)
        rest = rest[len(paragraph) :]
        if n == len(paragraphs) - 1:
            assert rest == ""
        elif rest[:1] != " ":
            assert rest[:1] in CLOSING_STOPS and not ends_a_sentence(paragraph)
            rest = rest[1:]
        rest = rest.removeprefix(" ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # list items (Guardian standfirsts): each its own sentence, not one run-on
        (
            "One person who was not aboard the train was killed\n\n"
            "Two crew members and two passengers were taken to hospital",
            "One person who was not aboard the train was killed. Two crew members and two "
            "passengers were taken to hospital.",
        ),
        # a standfirst paragraph, then the body
        (
            "Voters stay home in record numbers\n\nTurnout fell to 41%. Both parties lost.",
            "Voters stay home in record numbers. Turnout fell to 41%.",
        ),
        # a paragraph that introduces the next one keeps its colon
        ("Key points:\n\nThe bridge reopens.", "Key points: The bridge reopens."),
        # a single line break is not a paragraph: no stop is invented mid-sentence
        ("The council voted on\nTuesday to close it.", "The council voted on Tuesday to close it."),
        ("今天下雨\n\n明天晴", "今天下雨。 明天晴。"),
    ],
)
def test_a_paragraph_break_ends_a_sentence(text: str, expected: str) -> None:
    assert trim(text, 30, max_sentences=2) == expected
