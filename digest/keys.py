"""The secret keys that sign subscriber tokens: where they come from, and the key file.

`$DIGEST_SECRET_KEY` signs. `$DIGEST_SECRET_KEY_OLD` (comma-separated) lists retired
keys that still *verify* during a rotation's grace window, until the operator removes
them. Without `$DIGEST_SECRET_KEY` the keys live in `.digest-secret` beside the
configuration, one a line: the first signs, the others only verify
(`digest keys rotate` / `digest keys retire`).

The file is created atomically: a temporary file in the same folder (mode 0600),
written and fsynced, then hard-linked into place, which never replaces an existing
file; so concurrent first starts end with one key, and a full disk leaves no empty or
cut key behind. A key shorter than :data:`MIN_KEY` bytes (or of fewer than
:data:`MIN_DISTINCT` different characters) is refused with an error naming where it
came from, never used. This module never logs or prints a key.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import os
import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from digest.errors import ConfigError

SECRET_ENV = "DIGEST_SECRET_KEY"  # signs unsubscribe / preferences / confirm tokens
OLD_ENV = "DIGEST_SECRET_KEY_OLD"  # retired keys, comma-separated: verify only
KEY_FILE = ".digest-secret"
MIN_KEY = 32  # bytes; a generated key is 43 characters (32 random bytes, base64)
MIN_DISTINCT = 8  # "xxxx…" or "0000…" is not a key
#: What a key's fingerprint is the HMAC of: the database records fingerprints, never keys.
FINGERPRINT_LABEL = b"digest signing key fingerprint 1"


@dataclass(frozen=True, slots=True)
class SecretKeys:
    """The signing key and the retired keys that still verify."""

    current: str  # signs every new token
    old: tuple[str, ...]  # verify only (the grace window of a rotation)
    origin: str  # "$DIGEST_SECRET_KEY" or the key file's path, for messages

    @property
    def all(self) -> tuple[str, ...]:
        """Newest first."""
        return (self.current, *self.old)


def fingerprint(key: str) -> str:
    """A one-way name for a key (hex): HMAC-SHA256 of a fixed label under it. What the
    database records (digest.keyguard) and `digest keys status` shows the start of."""
    return hmac.new(key.encode("utf-8"), FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def new_key() -> str:
    return secrets.token_urlsafe(32)


def check_key(key: str, where: str) -> str:
    """`key` if it is long and varied enough; else a ConfigError naming `where`."""
    if len(key.encode("utf-8")) < MIN_KEY or len(set(key)) < MIN_DISTINCT:
        raise ConfigError(
            f"{where}: the secret key is too short or not random ({len(key)} characters; "
            f"at least {MIN_KEY} random characters are needed). Nothing was signed with it. "
            "`digest keys generate` prints a new one"
        )
    return key


def keys_from_environment() -> SecretKeys | None:
    """The keys of `$DIGEST_SECRET_KEY` (None when it is unset or empty)."""
    current = os.environ.get(SECRET_ENV, "").strip()
    if not current:
        return None
    check_key(current, f"${SECRET_ENV}")
    old = tuple(k.strip() for k in os.environ.get(OLD_ENV, "").split(",") if k.strip())
    for key in old:
        check_key(key, f"${OLD_ENV}")
    return SecretKeys(current, old, f"${SECRET_ENV}")


def key_file(root: Path) -> Path:
    return root / KEY_FILE


def read_key_file(path: Path) -> SecretKeys | None:
    """The keys in `path` (None when there is no such file); a bad one is refused."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"{path}: cannot read the secret key file: {why}") from None
    keys = [line.strip() for line in text.splitlines() if line.strip()]
    if not keys:
        raise ConfigError(
            f"{path}: the secret key file is empty (a full disk when it was written?). "
            f"Nothing was signed with it. Set ${SECRET_ENV}, or delete the file to make a "
            "new key (links in mail already sent then stop working)"
        )
    for key in keys:
        check_key(key, str(path))
    return SecretKeys(keys[0], tuple(keys[1:]), str(path))


def _write_temp(folder: Path, keys: Sequence[str]) -> str:
    """A fsynced temporary file (0600) in `folder` holding `keys`; its path."""
    data = ("\n".join(keys) + "\n").encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f"{KEY_FILE}.", suffix=".tmp", dir=folder)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(fd)
    return tmp


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def create_key_file(path: Path) -> SecretKeys:
    """Make `path` with a new key, unless another process made it first: then theirs."""
    try:
        tmp = _write_temp(path.parent, [new_key()])
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot create the secret key file: {exc.strerror}. Nothing was "
            f"signed. Free some space or set ${SECRET_ENV}"
        ) from None
    try:
        try:
            os.link(tmp, path)  # atomic, and never replaces a key another start made
        except FileExistsError:
            pass
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise ConfigError(
                    f"{path}: cannot create the secret key file: {exc.strerror}"
                ) from None
            if not path.exists():  # no hard links here: rename (atomic, tiny race)
                os.replace(tmp, path)
        _sync_folder(path.parent)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    found = read_key_file(path)
    assert found is not None
    return found


def replace_key_file(path: Path, keys: Sequence[str]) -> SecretKeys:
    """Write `keys` (newest first) over `path` atomically (rotate, retire)."""
    for key in keys:
        check_key(key, str(path))
    try:
        tmp = _write_temp(path.parent, keys)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the secret key file: {exc.strerror}") from None
    try:
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ConfigError(f"{path}: cannot replace the secret key file: {exc.strerror}") from None
    _sync_folder(path.parent)
    return SecretKeys(keys[0], tuple(keys[1:]), str(path))


def load_keys(root: Path, *, create: bool = True) -> SecretKeys | None:
    """The project's keys: the environment's, else the key file's (made when missing
    and `create`; None when missing and not `create`)."""
    found = keys_from_environment()
    if found is not None:
        return found
    path = key_file(root)
    found = read_key_file(path)
    if found is None and create:
        found = create_key_file(path)
    return found


def refuse_environment(action: str) -> None:
    """With $DIGEST_SECRET_KEY set, `digest keys rotate|retire` say what to change there."""
    if keys_from_environment() is None:
        return
    if action == "rotate":
        raise ConfigError(
            f"${SECRET_ENV} is set, so the keys come from the environment: rotate there. "
            f"Move its value to ${OLD_ENV} (comma-separated with any older ones), set "
            f"${SECRET_ENV} to a new key (`digest keys generate`), restart, and remove "
            f"${OLD_ENV} when the grace window is over"
        )
    raise ConfigError(
        f"${SECRET_ENV} is set, so the keys come from the environment: unset "
        f"${OLD_ENV} (and restart) to stop accepting the retired keys"
    )


def rotate(root: Path) -> SecretKeys:
    """A new signing key in the key file; the previous ones keep verifying."""
    refuse_environment("rotate")
    path = key_file(root)
    current = load_keys(root)
    assert current is not None
    return replace_key_file(path, [new_key(), *current.all])


def retire(root: Path) -> tuple[SecretKeys, int]:
    """End the grace window: keep only the signing key. (keys, how many were dropped)"""
    refuse_environment("retire")
    path = key_file(root)
    current = read_key_file(path)
    if current is None:
        raise ConfigError(f"{path}: no secret key file (nothing to retire)")
    if not current.old:
        return current, 0
    return replace_key_file(path, [current.current]), len(current.old)
