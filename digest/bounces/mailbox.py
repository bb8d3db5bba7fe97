"""The bounce mailbox: a local maildir or mbox, or an IMAP folder over TLS.

Each mailbox yields `(name, raw bytes)` for every message not yet processed and is told
afterwards what to do with it: move it to the processed folder, flag it, or (only when
configured) delete it. Nothing is ever deleted by default. The report store makes
processing idempotent whatever the mailbox does, so a message offered twice (an mbox,
a crash before the move) changes nothing the second time.
Must not: parse reports or touch the store.
"""

from __future__ import annotations

import contextlib
import imaplib
import mailbox as stdlib_mailbox
import re
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from digest.errors import DigestError

__all__ = ["BounceMailboxError", "Mailbox", "open_mailbox"]

#: IMAP keyword set on a processed message in "flag" mode (and skipped afterwards).
KEYWORD = "$DigestProcessed"


class BounceMailboxError(DigestError):
    """The bounce mailbox cannot be opened or read (the message names it, no password)."""


class Mailbox(Protocol):
    where: str  # for messages: the mailbox without credentials

    def messages(self) -> Iterator[tuple[str, bytes]]: ...

    def done(self, name: str) -> None: ...

    def close(self) -> None: ...


class MaildirBox:
    """A maildir; "move" files processed messages into its `.Processed` subfolder."""

    def __init__(self, path: Path, processed: str, folder: str) -> None:
        self.where = f"maildir:{path}"
        if not (path / "cur").is_dir() or not (path / "new").is_dir():
            raise BounceMailboxError(f"{path}: not a maildir (no cur/ and new/ folders)")
        self.box = stdlib_mailbox.Maildir(path, factory=None, create=False)
        self.processed, self.folder = processed, folder

    def messages(self) -> Iterator[tuple[str, bytes]]:
        for key in sorted(self.box.keys()):
            message = self.box.get_message(key)
            if self.processed == "flag" and "S" in message.get_flags():
                continue
            yield key, bytes(message)

    def done(self, name: str) -> None:
        if self.processed == "delete":
            self.box.discard(name)
        elif self.processed == "flag":
            message = self.box.get_message(name)
            message.add_flag("S")
            message.set_subdir("cur")
            self.box[name] = message
        else:
            target = self.box.add_folder(self.folder)  # idempotent
            target.add(self.box.get_message(name))
            self.box.discard(name)

    def close(self) -> None:
        self.box.close()


class MboxBox:
    """An mbox file, read only: the MTA may be appending to it while we read."""

    def __init__(self, path: Path) -> None:
        self.where = f"mbox:{path}"
        if not path.is_file():
            raise BounceMailboxError(f"{path}: no such mbox file")
        self.box = stdlib_mailbox.mbox(path, create=False)

    def messages(self) -> Iterator[tuple[str, bytes]]:
        for key, message in self.box.items():
            yield f"{self.where}#{key}", message.as_bytes(unixfrom=False)

    def done(self, name: str) -> None:
        return None  # never rewritten; the report store remembers what was processed

    def close(self) -> None:
        self.box.close()


class ImapBox:
    """An IMAP folder: `imaps://user@host:993/INBOX`, or `imap://` with STARTTLS."""

    def __init__(
        self,
        url: str,
        password: str | None,
        processed: str,
        folder: str,
        *,
        ca_file: Path | None = None,
        timeout: float = 30.0,
    ) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or ""
        user = unquote(parts.username or "")
        self.mailbox_name = unquote(parts.path.lstrip("/")) or "INBOX"
        port = parts.port or (993 if parts.scheme == "imaps" else 143)
        self.where = f"{parts.scheme}://{user}@{self.host}:{port}/{self.mailbox_name}"
        if not password:
            raise BounceMailboxError(
                f"{self.where}: no password; set $DIGEST_BOUNCES_PASSWORD in the environment"
            )
        context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        self.processed, self.folder = processed, folder
        try:
            if parts.scheme == "imaps":
                self.conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    self.host, port, ssl_context=context, timeout=timeout
                )
            else:
                self.conn = imaplib.IMAP4(self.host, port, timeout=timeout)
                self.conn.starttls(ssl_context=context)  # never log in over plain text
            self.conn.login(user, password)
            self._ok(self.conn.select(_quote(self.mailbox_name)), "select")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise BounceMailboxError(f"{self.where}: {_reason(exc)}") from None

    def _ok(self, answer: tuple[str, list[Any]], what: str) -> list[Any]:
        status, data = answer
        if status != "OK":
            raise BounceMailboxError(f"{self.where}: {what} refused: {data!r}"[:300])
        return data

    def messages(self) -> Iterator[tuple[str, bytes]]:
        criteria = f"UNKEYWORD {KEYWORD}" if self.processed == "flag" else "ALL"
        try:
            data = self._ok(self.conn.uid("SEARCH", criteria), "search")
            uids = data[0].split() if data and isinstance(data[0], bytes) else []
            for uid in (u.decode() for u in uids):
                fetched = self._ok(self.conn.uid("FETCH", uid, "(BODY.PEEK[])"), "fetch")
                raw = next(
                    (p[1] for p in fetched if isinstance(p, tuple) and len(p) == 2),
                    None,
                )
                if isinstance(raw, bytes):
                    yield uid, raw
        except (OSError, imaplib.IMAP4.error) as exc:
            raise BounceMailboxError(f"{self.where}: {_reason(exc)}") from None

    def done(self, name: str) -> None:
        try:
            if self.processed == "flag":
                self._ok(self.conn.uid("STORE", name, "+FLAGS", f"({KEYWORD})"), "flag")
                return
            if self.processed == "move":
                self.conn.create(_quote(self.folder))  # fails harmlessly when it exists
                self._ok(self.conn.uid("COPY", name, _quote(self.folder)), "copy")
            self._ok(self.conn.uid("STORE", name, "+FLAGS", r"(\Deleted)"), "store")
            self._ok(self.conn.expunge(), "expunge")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise BounceMailboxError(f"{self.where}: {_reason(exc)}") from None

    def close(self) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self.conn.logout()


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return re.sub(r"\s+", " ", text)[:200]


def open_mailbox(
    spec: str, *, password: str | None, processed: str, folder: str, ca_file: Path | None = None
) -> Mailbox:
    """The mailbox a `[bounces] mailbox` value names."""
    if spec.startswith("maildir:"):
        return MaildirBox(Path(spec.removeprefix("maildir:")), processed, folder)
    if spec.startswith("mbox:"):
        return MboxBox(Path(spec.removeprefix("mbox:")))
    if spec.startswith(("imaps://", "imap://")):
        return ImapBox(spec, password, processed, folder, ca_file=ca_file)
    raise BounceMailboxError(f"{spec}: not a mailbox (maildir:, mbox:, imaps:// or imap://)")
