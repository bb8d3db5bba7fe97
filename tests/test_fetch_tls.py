"""The fetcher's own asyncio network layer (digest.collect.netstream) against real servers:
HTTPS with a certificate the client trusts and one it does not, keep-alive reuse, a
server that closes an idle connection, and a body bigger than the read buffer."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpcore
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from digest.collect import fetch
from digest.collect.fetch import FetchRequest, fetch_all_sync
from digest.collect.netstream import READ_LIMIT, AsyncioBackend

BIG = bytes(range(256)) * (3 * READ_LIMIT // 256)  # three read buffers' worth


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.connections.add(self.client_address)
        body = BIG if self.path == "/big" else b"<rss version='2.0'><channel/></rss>"
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        if self.path == "/close":  # answer, then drop the kept-alive connection
            self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, context: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.connections: set[tuple[str, int]] = set()
        if context is not None:
            self.socket = context.wrap_socket(self.socket, server_side=True)

    def url(self, path: str) -> str:
        port = self.server_address[1]
        if isinstance(self.socket, ssl.SSLSocket):  # the certificate names localhost
            return f"https://localhost:{port}{path}"
        return f"http://127.0.0.1:{port}{path}"


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _serve(context: ssl.SSLContext | None) -> Iterator[Server]:
    httpd = Server(context)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def plain() -> Iterator[Server]:
    yield from _serve(None)


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    return _certificate(tmp_path)


@pytest.fixture
def tls(tls_files: tuple[Path, Path]) -> Iterator[Server]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_files)
    yield from _serve(context)


def test_the_fetcher_s_pool_runs_on_the_asyncio_backend() -> None:
    import httpx

    transport = fetch._transport(ssl.create_default_context(), httpx.Limits(max_connections=3))
    pool = transport._pool
    assert isinstance(pool, httpcore.AsyncConnectionPool)
    assert isinstance(pool._network_backend, AsyncioBackend)  # the point of the module


def test_no_tls_context_is_made_until_an_https_request(
    plain: Server, tls: Server, tls_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))
    made = []
    real = fetch._tls.__wrapped__

    def counted(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
        made.append(cert_file)
        return real(cert_file, cert_dir)

    monkeypatch.setattr(fetch, "_tls", counted)
    [result] = fetch_all_sync([FetchRequest("Plain", plain.url("/feed"))])
    assert result.status == 200 and made == []  # a CA bundle loaded for nothing, before
    results = fetch_all_sync([FetchRequest(f"S{n}", tls.url("/feed")) for n in range(3)])
    assert [r.status for r in results] == [200, 200, 200]
    assert made == [str(tls_files[0])]  # once for the collect, on its first https:// request


def test_https_with_a_trusted_certificate_then_304_on_the_kept_connection(
    tls: Server, tls_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    url = tls.url("/feed")
    [first] = fetch_all_sync([FetchRequest("T", url)])
    assert first.error is None and first.status == 200 and first.body is not None
    assert first.body.startswith(b"<rss")
    requests = [FetchRequest(f"T{n}", url, first.etag) for n in range(6)]
    again = fetch_all_sync(requests, concurrency=1)
    assert all(r.not_modified and r.error is None for r in again), again
    assert len(tls.connections) == 2  # one for the first fetch, one kept for all six


def test_https_with_an_untrusted_certificate_is_an_error_value(
    tls: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    url = tls.url("/feed")
    [result] = fetch_all_sync([FetchRequest("Self", url)], timeout=5)
    assert result.body is None and result.error is not None
    assert result.error.startswith("Self: cannot connect: ") and "CERTIFICATE" in result.error
    assert result.error.endswith(f"({url})")


def test_a_body_bigger_than_the_read_buffer_arrives_whole(plain: Server) -> None:
    [result] = fetch_all_sync([FetchRequest("Big", plain.url("/big"))])
    assert result.error is None and result.body == BIG


def test_an_idle_connection_the_server_closed_is_not_reused(plain: Server) -> None:
    import asyncio

    async def main() -> list[int]:
        statuses = []
        async with httpcore.AsyncConnectionPool(network_backend=AsyncioBackend()) as pool:
            for _ in range(3):
                response = await pool.request("GET", plain.url("/close"))
                statuses.append(response.status)
                await asyncio.sleep(0.2)  # the server's end reaches us while idle
        return statuses

    assert asyncio.run(main()) == [200, 200, 200]
    assert len(plain.connections) == 3  # each answer closed its connection: a new one each


def test_reads_time_out_and_refused_connections_are_httpcore_errors() -> None:
    import asyncio

    async def main() -> None:
        with socket.socket() as listener:  # accepts (backlog) but never answers
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            port = listener.getsockname()[1]
            stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=2)
            await stream.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", timeout=2)
            with pytest.raises(httpcore.ReadTimeout):
                await stream.read(1024, timeout=0.1)
            await stream.aclose()
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]  # bound, not listening: refused
            with pytest.raises(httpcore.ConnectError):
                await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=2)

    asyncio.run(main())


def test_checked_addresses_https_still_verifies_the_name_and_refused_ones_get_no_request(
    tls: Server, plain: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `allowed` (a feed's pictures), the connection goes to the address checked,
    and TLS still verifies the certificate against the host name in the URL; an address
    refused gets no connection at all, and its error says why."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    seen: list[str] = []

    def anything(address: str) -> bool:
        seen.append(address)
        return True

    [untrusted] = fetch_all_sync([FetchRequest("Pic", tls.url("/p"))], timeout=5, allowed=anything)
    assert untrusted.error is not None and "CERTIFICATE" in untrusted.error
    assert "127.0.0.1" in seen or "::1" in seen

    [refused] = fetch_all_sync(
        [FetchRequest("Pic", plain.url("/p"))], timeout=5, allowed=lambda _a: False
    )
    assert refused.error is not None and "127.0.0.1 is not a public address" in refused.error
    assert plain.connections == set()
    [local] = fetch_all_sync(
        [FetchRequest("Pic", "file:///etc/hostname")], timeout=5, allowed=anything
    )
    assert local.error is not None and "not an http:// or https:// address" in local.error


def test_checked_addresses_https_with_a_trusted_certificate(
    tls: Server, tls_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    [result] = fetch_all_sync(
        [FetchRequest("Pic", tls.url("/feed"))], timeout=5, allowed=lambda _a: True
    )
    assert result.error is None and result.body is not None and result.body.startswith(b"<rss")
