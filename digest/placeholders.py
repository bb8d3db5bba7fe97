"""The per-subscriber placeholders a rendered variant carries (render puts them in,
message substitutes them): random per process and never shown unsubstituted, so no text
from a feed can spell one (it would be personalised like the template's own); ASCII
letters, digits and @ only, so quoted-printable leaves them whole. A leaf module: it
imports nothing of digest, so that what only personalises need not load the renderer.
"""

from __future__ import annotations

import secrets

_MARK = secrets.token_hex(16)
UNSUBSCRIBE = f"@@UNSUBSCRIBE_URL_{_MARK}@@"
PREFERENCES = f"@@PREFERENCES_URL_{_MARK}@@"
PLACEHOLDERS = (UNSUBSCRIBE, PREFERENCES)

__all__ = ["PLACEHOLDERS", "PREFERENCES", "UNSUBSCRIBE"]
