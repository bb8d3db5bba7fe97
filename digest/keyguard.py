"""The key guard: the keys that sign subscribers' links, checked against the database.

A key file is made where there is none (digest.keys) so that a laptop project works
without setup. But a second folder with the same configuration, a worker on another
machine, or a lost `.digest-secret` made a *new* key silently, and every one-click
unsubscribe link in the mail already sent then answered 404. So the database records
the fingerprint of the key that signs (digest.keys.fingerprint, never the key;
digest.store._keyprints), and before anything is signed with the project's keys:

- no key file is made where the database already has mail signed with some key (a
  recorded fingerprint, a delivery, a welcome): the error names the file it would have
  made and says to copy `.digest-secret` from the first machine or set the variable;
- a signing key the database does not know (nor as an old key of a rotation's grace
  window) signs nothing; one that `digest keys retire` retired neither;
- a rotation made in the environment (the new key in $DIGEST_SECRET_KEY, the current
  one in $DIGEST_SECRET_KEY_OLD) or by `digest keys rotate` is recorded.

A new project (nothing recorded, nothing sent) makes and records its key silently.
Commands that sign nothing never call this. No message names a key.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from digest import keys
from digest.errors import ConfigError, KeyRefused
from digest.keys import SecretKeys

if TYPE_CHECKING:
    from digest.store import KeyRole, Store


def cure(path: Path) -> str:
    """How every refusal says to put it right (`path`: where this project's key file is)."""
    return (
        f"Copy `{keys.KEY_FILE}` from the machine (or folder) that sent the mail to {path}, "
        f"or set ${keys.SECRET_ENV} to that key, here and on every machine that runs "
        "digest on this database (`digest keys status` shows each key's fingerprint)"
    )


def signing_keys(root: Path, store: Store, *, now: datetime) -> SecretKeys:
    """The project's keys (`root`: its configuration's folder), once the database knows
    them; else :class:`~digest.errors.KeyRefused`, and nothing is made or signed."""
    found = keys.load_keys(root, create=False)
    if found is None:
        path = keys.key_file(root)
        if store.has_signed():
            raise KeyRefused(
                f"{path}: no secret key file, and {store.url} holds mail whose "
                "unsubscribe and preferences links were signed with a key; a new key "
                "would make every one of those links answer 'This link is not valid'. "
                f"Nothing was created or signed. {cure(path)}"
            )
        found = keys.create_key_file(path)
    said = store.admit_key(
        keys.fingerprint(found.current), [keys.fingerprint(k) for k in found.old], now=now
    )
    if not said.admitted:
        raise KeyRefused(_refusal(found, root, store, said.mine, said.current))
    return found


def _refusal(
    found: SecretKeys, root: Path, store: Store, mine: KeyRole | None, current: KeyRole | None
) -> str:
    shown = keys.fingerprint(found.current)[:12]
    signs = f"; the database's signing key is {current.fingerprint[:12]}" if current else ""
    fix = cure(keys.key_file(root))
    if mine is not None:  # retired
        return (
            f"{found.origin}: this key ({shown}) was retired on "
            f"{mine.since:%Y-%m-%d %H:%M} UTC (`digest keys retire`): links it signed no "
            f"longer verify, so it signs nothing{signs}. {fix}"
        )
    return (
        f"{found.origin}: this is not the key that signs the subscribers' links of "
        f"{store.url} (this key is {shown}{signs}): links it signed would answer 'This "
        f"link is not valid' wherever the other key is used, and the links already sent "
        f"would not work here. Nothing was signed. {fix}"
    )


def rotate(root: Path, store: Store, *, now: datetime) -> SecretKeys:
    """`digest keys rotate`: a new signing key in the key file, recorded as current; the
    previous ones keep verifying until :func:`retire`."""
    keys.refuse_environment("rotate")
    _newest(root, store, now=now, doing="rotate")
    rotated = keys.rotate(root)
    store.record_rotation(keys.fingerprint(rotated.current), now=now)
    return rotated


def retire(root: Path, store: Store, *, now: datetime) -> tuple[SecretKeys, int]:
    """`digest keys retire`: only the signing key verifies, in the file and the database."""
    keys.refuse_environment("retire")
    _newest(root, store, now=now, doing="retire")
    found, dropped = keys.retire(root)
    store.record_retirement(now=now)
    return found, dropped


def _newest(root: Path, store: Store, *, now: datetime, doing: str) -> None:
    """Refuse to rotate or retire from a key file whose signing key is not the current
    one (a folder not brought up to date after a rotation elsewhere)."""
    found = signing_keys(root, store, now=now)
    role = store.key_roles().get(keys.fingerprint(found.current))
    if role is None or role.role != "current":
        raise ConfigError(
            f"{found.origin}: its signing key is not the newest one of {store.url} (a "
            f"rotation was made elsewhere); nothing was changed. Run `digest keys {doing}` "
            f"where the newest key is, or copy that `{keys.KEY_FILE}` here first"
        )
