"""SIP over TLS: the certificate made on first start, kept across restarts, and REGISTER over it."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from loopback_pbx import loopback_config, wait_for_sip_account
from sip_phone import TestPhone

from cordboard.core.config.bootstrap import BootstrapConfig
from cordboard.core.core import Core
from cordboard.core.sip.message import SipResponse, StreamFramer, parse_message
from cordboard.core.sip.tls import SIP, certificate_files

PASSWORD = "tls-sip-password-1"
CERT_FILE, KEY_FILE = certificate_files(SIP)


def config() -> BootstrapConfig:
    return loopback_config(42000, 42099)


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    core = Core(tmp_path / "data", config())
    await core.start(serve_http=False, serve_sip=True)
    await core.identity.create_user(
        username="tina",
        first_name="Tina",
        last_name="Tester",
        email="tina@example.com",
        sip_password=PASSWORD,
        extension="1010",
    )
    await wait_for_sip_account(core, "tina")
    yield core
    await core.stop()


class TlsClient:
    """REGISTER over one TLS connection, framed by Content-Length like any stream transport."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.framer = StreamFramer()
        self.pending: list[bytes] = []

    async def exchange(self, data: bytes) -> SipResponse:
        self.writer.write(data)
        await self.writer.drain()
        while not self.pending:
            chunk = await asyncio.wait_for(self.reader.read(65536), 5)
            assert chunk, "the server closed the TLS connection"
            self.pending.extend(self.framer.feed(chunk))
        message = parse_message(self.pending.pop(0))
        assert isinstance(message, SipResponse)
        return message


async def test_register_over_tls_with_the_generated_certificate(pbx: Core) -> None:
    """Transport scope: TLS on port + 1 with a certificate generated into the data folder."""
    assert pbx.sip is not None
    cert = pbx.data_dir / CERT_FILE
    assert cert.exists() and (pbx.data_dir / KEY_FILE).exists()
    assert (pbx.data_dir / KEY_FILE).stat().st_mode & 0o077 == 0, "the private key is private"

    context = ssl.create_default_context(cafile=str(cert))
    context.check_hostname = False  # the certificate names the advertised address, we dial 127.0.0.1
    host, port = pbx.sip.transports.addresses["tls"]
    reader, writer = await asyncio.open_connection(host, port, ssl=context)
    client = TlsClient(reader, writer)
    local_port = writer.get_extra_info("sockname")[1]
    phone = TestPhone("tina", PASSWORD, (host, port))
    phone.port = local_port

    def over_tls(data: bytes) -> bytes:
        return data.replace(b"SIP/2.0/UDP", b"SIP/2.0/TLS").replace(b">\r\n", b";transport=tls>\r\n", 1)

    request = phone.new_request(
        "REGISTER", f"sips:{host}:{port}", to=f"<sip:tina@{host}>", extra={"Expires": "600"}
    )
    challenge = await client.exchange(over_tls(bytes(request)))
    assert challenge.status == 401
    authorized = phone.authorize(request, challenge)
    authorized.headers.set("Expires", "600")
    ok = await client.exchange(over_tls(bytes(authorized)))
    assert ok.status == 200, ok
    account = pbx.sip.accounts.by_username("tina")
    assert account is not None
    bindings = pbx.sip.location.bindings(account.user_id, time.time())
    assert [b.transport for b in bindings] == ["tls"]
    writer.close()


async def test_certificate_is_kept_across_restarts(tmp_path: Path) -> None:
    """Phones that pinned the certificate keep trusting the appliance after a restart."""
    first = Core(tmp_path / "data", config())
    await first.start(serve_http=False, serve_sip=True)
    pem = (first.data_dir / CERT_FILE).read_bytes()
    await first.stop()
    second = Core(tmp_path / "data", config())
    await second.start(serve_http=False, serve_sip=True)
    try:
        assert (second.data_dir / CERT_FILE).read_bytes() == pem
    finally:
        await second.stop()
