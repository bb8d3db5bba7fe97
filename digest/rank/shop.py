"""An outlet's shop post: an offer of something to buy, not a story.

Job: tell such a post on evidence, for :func:`digest.rank.score.sponsored`, which leaves
it out with the advertisements ("advert") unless an editor pins it. The evidence is a
byline of a deals or shop team ("DealPost Team", "Deals Team", "The Deals Desk",
"Macworld Deals", "PCWorld Store Team") or a headline that is an offer: an order to buy
at a price ("Get 120+ Hours of iOS 11 Dev Training for $15", "Pay What You Want For
…", after a label such as "Cyber Monday Steal:"; "Save 80% On …" opening it), a list
price in brackets ("($469 value)") or a "Deal Alert" label. English only.
Must not: take a report about prices for an offer ("Apple raises iPhone price to $999",
"iPhone X will sell for $999", "Tesla cuts Model 3 price by $2,000", "Get ready for $5
petrol"), a writer's round-up of the day's deals ("Cyber Monday: The best software
deals", signed by its writer), a political "deal", or a person whose name is a shop
word ("Jane Store", "Nathan Deal").
"""

from __future__ import annotations

import re

from digest.records import Article

#: A team of the shop ("DealPost Team", "The Deals Desk", "PCWorld Store Team"), or an
#: outlet's deals page signing ("Macworld Deals"): a plural "Deals" is nobody's name.
_BYLINE = re.compile(
    r"^\W*(?:the\s+)?(?:[\w&.'’-]+\s+){0,2}?"
    r"(?:(?:deals?|dealpost|shop|store|offers|coupons|bargains)\s+(?:team|desk|staff|editors)"
    r"|deals|dealpost)\W*$",
    re.IGNORECASE,
)
_MONEY = r"[$£€]\s?\d[\d,.]*"
#: An order to buy, at the headline's start or after a short label ("Cyber Monday Steal:").
_OFFER = re.compile(
    r"^\W*(?:(?:[^:]{1,40}:\s*)?(?:"
    rf"(?:get|grab|snag|score)\b[^:]{{0,120}}?\bfor\s+(?:just\s+|only\s+)?{_MONEY}\W*$"
    r"|pay\s+what\s+you\s+want\b)"
    # "Save" opening the headline or after a sale's label ("Black Friday Deal:"); after
    # another label it is advice ("Watchdog: Save 20% on energy bills")
    r"|(?:[^:]{0,30}\b(?:deals?|steal|sale|offers?|exclusive|friday|monday)\b[^:]{0,20}:\s*)?"
    rf"save\s+(?:over\s+|up\s+to\s+|nearly\s+|more\s+than\s+)?(?:{_MONEY}|\d+\s?%|hundreds|big)\s+on\b)",
    re.IGNORECASE,
)
#: Wherever it stands: a list price in brackets, a "Deal Alert" label. (A discount alone,
#: "50% off", is news as often: "Macy's offers 50% off in bid to lure shoppers",
#: "Bitcoin trades 30% off its all-time high".)
_PRICED = re.compile(
    rf"\(\s*(?:an?\s+)?{_MONEY}\s+value\s*\)"
    r"|^\W*deal\s+alert\b|\bdeal\s+alert\W*$|[\[(]deal(?:\s+alert)?[\])]",
    re.IGNORECASE,
)


#: Words one of the patterns needs, looked for first: a ranking asks of every article.
_BYLINE_WORDS = ("deal", "shop", "store", "offers", "coupons", "bargains")
#: The byline's as one search: literals with no flags, so it finds one where ``in`` would,
#: for less than a generator over the words costs. (The headline's, "$", "£", "€",
#: "save", "pay what" and "deal", are written out in :func:`shop_post`: cheaper still.)
_BYLINE_WORD = re.compile("|".join(map(re.escape, _BYLINE_WORDS)))


def shop_post(article: Article) -> bool:
    """Is ``article`` the outlet's shop offering something (see the module's docstring)?"""
    author = article.author
    if author:  # (no byline: _BYLINE needs a word)
        author = author.casefold()
        if _BYLINE_WORD.search(author) and _BYLINE.match(author):
            return True
    title = article.title
    f = title.casefold()
    if not ("$" in f or "£" in f or "€" in f or "save" in f or "pay what" in f or "deal" in f):
        return False
    return bool(_OFFER.match(title) or _PRICED.search(title))
