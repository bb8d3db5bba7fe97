"""Security of what identifies a subscriber: placeholders that feed text cannot forge,
signing keys that can be rotated with a grace window, a key file that is created
atomically and never short, and the double opt-in mail (DKIM-signed, a safe To:).

Real parts throughout: a feed file collected by the real collect, aiosmtpd on
loopback, real subprocesses racing for the first key, the Flask app's own routes.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import dkim
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from digest.app import App
from digest.cli import main
from digest.config import DKIM_KEY_ENV, SECRET_ENV, load
from digest.deliver.run import send_edition
from digest.errors import ConfigError, SubscriberError
from digest.message import personalise, prepare
from digest.records import Subscriber
from digest.render import PREFERENCES, UNSUBSCRIBE, Rendered
from digest.subscribers import send_confirmation, subscribe
from digest.tokens import BadToken
from tests.conftest import Mailbox, write_project

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
OLD_ENV = f"{SECRET_ENV}_OLD"
KEY_A = "a-first-key-that-is-long-enough-0123456789abcdef"
KEY_B = "b-second-key-that-is-long-enough-0123456789abcdef"

# -- 1. feed text cannot forge the per-subscriber placeholders -----------------------------
EVIL_LINK = "https://evil.example/?u=@@UNSUBSCRIBE_URL@@"
EVIL_IMAGE = "https://evil.example/pixel.png?p=@@PREFERENCES_URL@@"
FORGED = ("@@UNSUBSCRIBE_URL@@", "@@PREFERENCES_URL@@", "@@TO@@", "@@MESSAGE_ID@@")

EVIL_FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Evil</title><link>https://evil.example/</link>
<item>
  <title>Harbour baths reopen @@UNSUBSCRIBE_URL@@ @@TO@@ @@MESSAGE_ID@@</title>
  <link>{EVIL_LINK}</link>
  <guid>evil-1</guid>
  <pubDate>Thu, 26 Nov 2026 20:00:00 +0000</pubDate>
  <media:content url="{EVIL_IMAGE}" medium="image" width="800" height="400"/>
  <description>&lt;p&gt;The baths reopen at @@PREFERENCES_URL@@ and
  &lt;a href="https://evil.example/more?x=@@PREFERENCES_URL@@"&gt;more&lt;/a&gt;
  with @@TO@@ in the text.&lt;/p&gt;</description>
</item>
</channel></rss>
"""


def evil_project(tmp_path: Path, smtp: Mailbox) -> App:
    feed = tmp_path / "evil.rss"
    feed.write_text(EVIL_FEED, encoding="utf-8")
    config = write_project(
        tmp_path / "news",
        sources=f'[[sources]]\nname = "Evil Times"\nurl = "{feed}"\n',
        transport=f'kind = "smtp"\nhost = "{smtp.host}"\nport = {smtp.port}\nretries = 0',
    )
    app = App.from_config(config)
    app.store.write_subscribers(
        "daily",
        [
            {"email": "ann@example.com", "name": "Ann", "status": "active"},
            {"email": "bob@example.com", "name": "Bob", "status": "active"},
        ],
        origin="test",
        now=NOW,
    )
    return app


def _parts(msg: EmailMessage) -> dict[str, str]:
    return {p.get_content_type(): str(p.get_content()) for p in msg.walk() if not p.is_multipart()}


def test_feed_text_cannot_forge_the_subscriber_placeholders(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    app = evil_project(tmp_path, smtp_server)
    reports = app.collect(now=NOW)
    assert [r.error for r in reports] == [None]
    edition = app.build(now=NOW, reports=reports)
    assert edition.id is not None and edition.leads
    assert edition.leads[0].url == EVIL_LINK  # what the feed said is kept as it was
    send_edition(app, edition.id, clock=lambda: NOW)
    got = smtp_server.by_recipient()
    assert set(got) == {"ann@example.com", "bob@example.com"}
    preview = app.preview(edition.id, email="ann@example.com", now=NOW).message

    for email, data in [*((e, m[0].data) for e, m in got.items()), ("ann@example.com", preview)]:
        sub = app.store.subscriber("daily", email)
        assert sub is not None
        secrets = (
            app.tokens.make("unsubscribe", sub.id),
            app.tokens.make("preferences", sub.id),
        )
        msg = message_from_bytes(data, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        parts = _parts(msg)
        html, text = parts["text/html"], parts["text/plain"]
        # The feed's text arrives as the feed wrote it ...
        assert f'href="{EVIL_LINK}"' in html
        assert f'src="{EVIL_IMAGE}"' in html
        assert EVIL_LINK in text
        for marker in ("@@UNSUBSCRIBE_URL@@", "@@TO@@", "@@MESSAGE_ID@@"):
            assert marker in str(msg["Subject"])
        assert "@@TO@@ in the text" in html
        # ... and no link to a third party carries this subscriber's tokens or address.
        for url in re.findall(r"https://evil\.example[^\s\"'<>]*", html + "\n" + text):
            assert not any(s in url for s in secrets), url
            assert email not in url and "brief.example.org" not in url, url
        # The subscriber's own links are where the template put them, and only there.
        assert msg["List-Unsubscribe"].strip() == f"<https://brief.example.org/u/{secrets[0]}>"
        assert f'href="https://brief.example.org/u/{secrets[0]}"' in html
        assert f'href="https://brief.example.org/p/{secrets[1]}"' in html
        assert len(msg["To"].addresses) == 1 and msg["To"].addresses[0].addr_spec == email
        assert re.fullmatch(r"<digest\.\d+\.\d+\.[0-9a-f]{16}@example\.org>", msg["Message-ID"])


@pytest.mark.parametrize("text_only", [False, True])
@pytest.mark.parametrize("column", [0, 1, 30, 60, 74, 75, 76, 120])
def test_each_marker_stays_whole_in_quoted_printable(column: int, text_only: bool) -> None:
    """Wherever a template placeholder falls on a long line (and beside the feed's look-alike
    text), the personalised message carries the subscriber's link, whole."""
    pad = "é" * (column // 2) + "x" * (column % 2)
    html = f'<p>{pad}<a href="{UNSUBSCRIBE}">u</a>{pad}@@UNSUBSCRIBE_URL@@ '
    html += f'<a href="{PREFERENCES}">p</a></p>'
    text = f"{pad}{UNSUBSCRIBE}{pad} @@PREFERENCES_URL@@\n{'y' * column}{PREFERENCES}\n"
    unsub = "https://brief.example.org/u/" + "U" * 60
    prefs = "https://brief.example.org/p/" + "P" * 60
    data = personalise(
        prepare(
            Rendered("s", "p", html, text),
            sender="The Brief <brief@example.org>",
            list_name="daily",
            list_title="The Brief",
            edition_id=1,
            nonce="3f9a0c1d2e4b5a67",
            date=NOW,
            text_only=text_only,
        ),
        edition_id=1,
        subscriber_id=2,
        email="a@example.com",
        name="A",
        unsubscribe_url=unsub,
        preferences_url=prefs,
    )
    assert all(len(line) <= 76 for line in data.split(b"\r\n\r\n", 1)[1].split(b"\r\n"))
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    parts = _parts(msg)
    plain = parts["text/plain"].replace("\r\n", "\n").rstrip("\n")
    assert plain == f"{pad}{unsub}{pad} @@PREFERENCES_URL@@\n{'y' * column}{prefs}"
    if not text_only:
        assert parts["text/html"].rstrip("\r\n") == (
            f'<p>{pad}<a href="{unsub}">u</a>{pad}@@UNSUBSCRIBE_URL@@ <a href="{prefs}">p</a></p>'
        )


def test_the_markers_are_secret_and_not_the_old_fixed_strings() -> None:
    assert UNSUBSCRIBE not in FORGED and PREFERENCES not in FORGED
    assert len(UNSUBSCRIBE) >= 40 and len(PREFERENCES) >= 40


# -- 2. key rotation with a grace window ----------------------------------------------------
def _unsubscribe(app: App, token: str) -> int:
    from digest.web import create_app

    client = create_app(app, clock=lambda: NOW).test_client()
    r = client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    return r.status_code


@pytest.fixture
def rotation_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.delenv(OLD_ENV, raising=False)
    config = write_project(tmp_path / "news")
    app = App.from_config(config)
    app.store.write_subscribers(
        "daily",
        [{"email": f"r{i}@example.com", "status": "active"} for i in range(3)],
        origin="test",
        now=NOW,
    )
    return config


def _ids(app: App) -> list[int]:
    return [s.id for s in app.store.subscribers("daily")]


def test_rotating_the_key_file_keeps_old_links_working_until_retired(
    rotation_project: Path,
) -> None:
    config = rotation_project
    before = App.from_config(config)
    a, b, c = _ids(before)
    old = {i: before.tokens.make("unsubscribe", i) for i in (a, b, c)}

    r = CliRunner().invoke(main, ["keys", "rotate", "--config", str(config)])
    assert r.exit_code == 0, r.output
    assert "rotated" in r.output.lower()
    assert KEY_A not in r.output  # no key is ever printed
    secret = (config.parent / ".digest-secret").read_text()
    assert not any(line in r.output for line in secret.split())

    during = App.from_config(config)
    new_token = during.tokens.make("unsubscribe", a)
    assert new_token != old[a]  # signed with the new key
    assert during.tokens.read("unsubscribe", old[b]) == b
    assert _unsubscribe(during, old[a]) == 200  # an old mail's link, in the grace window
    assert during.store.subscriber_by_id(a).status == "unsubscribed"  # type: ignore[union-attr]

    r = CliRunner().invoke(main, ["keys", "retire", "--config", str(config)])
    assert r.exit_code == 0, r.output
    after = App.from_config(config)
    with pytest.raises(BadToken):
        after.tokens.read("unsubscribe", old[b])
    assert _unsubscribe(after, old[b]) == 404
    assert after.store.subscriber_by_id(b).status == "active"  # type: ignore[union-attr]
    assert after.tokens.read("unsubscribe", new_token) == a  # the new key still works
    assert _unsubscribe(after, after.tokens.make("unsubscribe", c)) == 200


def test_an_old_environment_key_verifies_until_it_is_dropped(
    rotation_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = rotation_project
    monkeypatch.setenv(SECRET_ENV, KEY_A)
    first = App.from_config(config)
    a, b, _ = _ids(first)
    old_a, old_b = (first.tokens.make("unsubscribe", i) for i in (a, b))

    monkeypatch.setenv(SECRET_ENV, KEY_B)
    monkeypatch.setenv(OLD_ENV, f"  {KEY_A} , another-retired-key-long-enough-0123456789")
    during = App.from_config(config)
    assert during.tokens.make("unsubscribe", a) != old_a
    assert _unsubscribe(during, old_a) == 200

    monkeypatch.delenv(OLD_ENV)
    after = App.from_config(config)
    assert _unsubscribe(after, old_b) == 404
    assert after.store.subscriber_by_id(b).status == "active"  # type: ignore[union-attr]


def test_rotate_refuses_when_the_key_comes_from_the_environment(
    rotation_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, KEY_A)
    r = CliRunner().invoke(main, ["keys", "rotate", "--config", str(rotation_project)])
    assert r.exit_code != 0
    assert OLD_ENV in r.output and "Traceback" not in r.output
    assert KEY_A not in r.output


# -- 3. the key file: atomic, one key for concurrent first starts, never short -------------
TRIALS = 20
#: One racing process: for each fresh project in turn, wait for the trial's instant,
#: then start as a first command does (load the config, get the signing key).
RACER = textwrap.dedent(
    """
    import hashlib, sys, time
    from digest.config import load
    start, configs = float(sys.argv[1]), sys.argv[2:]
    for i, config in enumerate(configs):
        settings = load(config)
        while time.time() < start + 0.25 * i:
            pass
        print(hashlib.sha256(settings.secret_key.encode()).hexdigest(), flush=True)
    """
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (SECRET_ENV, OLD_ENV)}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_four_first_starts_at_once_end_with_one_key(tmp_path: Path) -> None:
    """4 processes, 20 fresh projects: each project's key is made by 4 at the same instant."""
    configs = [str(write_project(tmp_path / f"t{i}", sources="")) for i in range(TRIALS)]
    start = time.time() + 3
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, repr(start), *configs],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
        )
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e.decode() for _, e in outs]
    seen = [o.decode().split() for o, _ in outs]
    different = 0
    for i, config in enumerate(configs):
        folder = Path(config).parent
        on_disk = (folder / ".digest-secret").read_text().split()[0]
        if {s[i] for s in seen} != {hashlib.sha256(on_disk.encode()).hexdigest()}:
            different += 1
        assert (folder / ".digest-secret").stat().st_mode & 0o777 == 0o600
        assert [p.name for p in folder.iterdir() if "secret" in p.name] == [".digest-secret"]
    assert different == 0, f"{different}/{TRIALS} trials ended with more than one key"


@pytest.mark.parametrize("content", ["", "\n", "short-key\n", "x" * 40 + "\n"])
def test_a_short_or_empty_key_file_is_refused_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    config = write_project(tmp_path / "news")
    keyfile = config.parent / ".digest-secret"
    keyfile.write_text(content)
    with pytest.raises(ConfigError) as caught:
        App.from_config(config).tokens.make("unsubscribe", 1)
    message = str(caught.value)
    assert str(keyfile) in message and ("32" in message or "empty" in message)
    assert keyfile.read_text() == content  # left for the operator to look at
    # The command line says it in one line, and signs nothing.
    r = CliRunner().invoke(
        main, ["subscribers", "list", "--list", "daily", "--config", str(config)]
    )
    assert r.exit_code != 0 and str(keyfile) in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("value", ["", "short", "x" * 64])
def test_a_short_environment_key_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    config = write_project(tmp_path / "news")
    monkeypatch.setenv(SECRET_ENV, value)
    if value == "":  # an empty variable counts as unset: the key file is used instead
        assert len(load(config).secret_key) >= 32
        return
    with pytest.raises(ConfigError, match=SECRET_ENV):
        load(config).secret_key  # noqa: B018
    monkeypatch.setenv(SECRET_ENV, KEY_A)
    monkeypatch.setenv(OLD_ENV, "short")
    with pytest.raises(ConfigError, match=OLD_ENV):
        load(config).secret_key  # noqa: B018


FILLER = textwrap.dedent(
    """
    import resource, signal, sys
    from digest.config import load
    from digest.errors import DigestError
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    settings = load(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), resource.RLIM_INFINITY))
    try:
        settings.secret_key
    except DigestError as exc:
        print("refused:", exc)
        sys.exit(3)
    """
)


@pytest.mark.parametrize("limit", [0, 10])
def test_a_failed_write_leaves_no_partial_key_file(tmp_path: Path, limit: int) -> None:
    """A full disk while the key is written (a file size limit of 0 or 10 bytes): a clear
    refusal, no 0-byte or cut key file, and the next start makes a whole key."""
    config = write_project(tmp_path / "news", sources="")
    keyfile = config.parent / ".digest-secret"
    r = subprocess.run(
        [sys.executable, "-c", FILLER, str(config), str(limit)],
        capture_output=True,
        env=_env(),
        timeout=120,
    )
    assert r.returncode == 3, r.stderr.decode()
    assert str(config.parent) in r.stdout.decode() and b"Traceback" not in r.stderr
    assert not keyfile.exists()
    assert [p for p in config.parent.iterdir() if "secret" in p.name] == []
    assert len(load(config).secret_key) >= 32 and keyfile.exists()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "tiny"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip(
            "mounting a tmpfs needs root; test_a_failed_write_leaves_no_partial_key_file covers it"
        )
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(folder)], capture_output=True
    )
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_gives_a_clear_error_and_no_empty_key(
    tiny_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    config = tiny_disk / "digest.toml"
    config.write_text(
        '[newsletter]\nname = "T"\nsender = "T <t@example.org>"\n'
        'base_url = "https://t.example.org"\n[[lists]]\nname = "daily"\n'
    )
    settings = load(config)
    fill = tiny_disk / "fill"
    fd = os.open(fill, os.O_WRONLY | os.O_CREAT)
    try:  # fill the disk to the last byte
        for size in (4096, 512, 1):
            with contextlib.suppress(OSError):
                while os.write(fd, b"x" * size):
                    pass
    finally:
        os.close(fd)
    with pytest.raises(ConfigError) as caught:
        settings.secret_key  # noqa: B018
    assert str(tiny_disk) in str(caught.value)
    keyfile = tiny_disk / ".digest-secret"
    assert not keyfile.exists()
    fill.unlink()
    assert len(settings.secret_key) >= 32 and len(keyfile.read_text().split()[0]) >= 32


# -- 4 and 5. the double opt-in mail: DKIM-signed, the visitor's name never unquoted -------
@pytest.fixture(scope="module")
def keypair() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def opt_in_project(tmp_path: Path, smtp: Mailbox, dkim_table: bool = True) -> App:
    extra = '[[lists]]\nname = "weekly"\ntitle = "The Weekly"\ndouble_opt_in = true\n'
    config = write_project(
        tmp_path / "news",
        sources="",
        transport=f'kind = "smtp"\nhost = "{smtp.host}"\nport = {smtp.port}',
        extra=extra,
    )
    if dkim_table:
        text = config.read_text().replace(
            "\n[edition]",
            '[newsletter.dkim]\nselector = "brief2026"\ndomain = "example.org"\n\n[edition]',
            1,
        )
        config.write_text(text)
    return App.from_config(config)


def test_a_confirmation_mail_is_dkim_signed(
    tmp_path: Path,
    smtp_server: Mailbox,
    keypair: tuple[bytes, bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pem, record = keypair
    monkeypatch.setenv(DKIM_KEY_ENV, pem.decode())
    app = opt_in_project(tmp_path, smtp_server)
    added = subscribe(app, "weekly", "reader@example.org", "Reader", origin="test", now=NOW)
    assert added.confirmation_sent
    (received,) = smtp_server.messages
    assert received.data.startswith(b"DKIM-Signature:")

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == b"brief2026._domainkey.example.org." else None

    assert dkim.verify(received.data, dnsfunc=lookup)
    msg = received.message
    tags = dict(re.findall(r"(\w+)=([^;]*)", re.sub(r"\s+", "", str(msg["DKIM-Signature"]))))
    assert {"from", "to", "subject", "date", "message-id"} <= set(tags["h"].split(":"))
    assert tags["t"] == str(int(NOW.timestamp()))
    # Tampering with the link breaks the signature.
    forged = received.data.replace(b"https://brief.example.org/c/", b"https://evil.example/c/")
    assert forged != received.data and not dkim.verify(forged, dnsfunc=lookup)


NAMES = [
    'Ann "the boss" O\'Neil, CEO ' * 8,
    "Visit https://evil.example/win now, " * 5,
    "x@evil.example, y@evil.example, " * 6,
    "a, " * 66,
    '"' * 200,
    "\\" * 200,
    "Ærø Ünïcødé, «quoted» 東京 " * 8,
    "é" * 200,
    "x" * 500,
    "=?utf-8?q?forged?= <boss@evil.example>",
    "(comment) <evil@evil.example>; group:",
]


@pytest.mark.parametrize("name", NAMES, ids=range(len(NAMES)))
def test_any_name_gives_one_valid_to_header_and_stays_out_of_the_mail(
    tmp_path: Path, smtp_server: Mailbox, name: str
) -> None:
    app = opt_in_project(tmp_path, smtp_server, dkim_table=False)
    sub = Subscriber(41, "victim@example.com", name, "weekly", status="pending")
    send_confirmation(app, sub, now=NOW)
    (received,) = smtp_server.messages
    assert received.recipients == ["victim@example.com"]
    head = received.data.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))
    assert head.isascii()
    msg = received.message
    to = msg["To"]
    assert not to.defects, to.defects
    assert [a.addr_spec for a in to.addresses] == ["victim@example.com"]
    # The visitor's words are not in the headers either: To: is the bare address.
    assert to.addresses[0].display_name == ""
    assert " ".join(name.split())[:20].encode() not in head
    body = msg.get_content()
    assert " ".join(name.split())[:20] not in body  # the visitor's text is not in the mail
    assert "evil.example" not in body and "Hello," in body


@pytest.mark.parametrize("name", ["R\r\nBcc: evil@example.net", "R\nX", "a" * 201])
def test_a_name_that_cannot_be_a_name_is_refused_clearly(
    tmp_path: Path, smtp_server: Mailbox, name: str
) -> None:
    app = opt_in_project(tmp_path, smtp_server, dkim_table=False)
    with pytest.raises(SubscriberError):
        subscribe(app, "weekly", "victim@example.com", name, origin="test", now=NOW)
    assert smtp_server.messages == []
