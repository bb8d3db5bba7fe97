"""One mailbox, one key: the case variants of an internationalised address
(`José@example.com`, `JOSÉ@example.com`, `josé@example.com`) have one key, what an
address is matched under (digest.records.email_key); ASCII ones keep theirs.
"""

from __future__ import annotations

from digest.records import address_key
from digest.subscribers import normalise_email


# -- the key ------------------------------------------------------------------------------
def test_the_key_folds_a_unicode_local_part_and_leaves_ascii_ones_as_they_were() -> None:
    from digest.records import email_key

    for spelling in ("José@Example.com", "JOSÉ@example.com", "jose\u0301@EXAMPLE.com"):
        assert email_key(normalise_email(spelling)) == "josé@example.com"
    assert email_key("ΟΔΥΣΣΕΑΣ@example.gr") == email_key("οδυσσεας@example.gr")  # final sigma
    # Full case folding, as a mail server that folds case does (Postfix's SMTPUTF8
    # lookups): ß is ss, so `Straße@` is the mailbox `strasse@`, and the domain of a
    # key whose folded local part is ASCII is given as A-labels, as an ASCII one's is.
    assert email_key("Straße@bücher.de") == email_key("STRASSE@bücher.de")
    assert email_key("Straße@bücher.de") == "strasse@xn--bcher-kva.de"
    # Stored (and mailed) as typed, as before.
    assert normalise_email("JOSÉ@example.com") == "JOSÉ@example.com"
    for ascii in ("Ann@Example.org", "ann+news@x.org", "ajay@डाटा.भारत", "a.b@xn--bcher-kva.de"):
        assert email_key(ascii) == address_key(ascii)  # ASCII local parts: unchanged
    for key in ("josé@example.com", "strasse@xn--bcher-kva.de", "अजय@डाटा.भारत"):
        assert email_key(key) == key
