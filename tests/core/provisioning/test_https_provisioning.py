"""Provisioning over HTTPS (BYD-08), on real sockets: a running Cordboard serves the same application
over HTTP and HTTPS; a scripted phone that trusts the certificate from the data folder fetches its
configuration over HTTPS, and after a ticket renewal the old URL is refused there too. The
certificate is made once and kept across restarts; the HTTPS port is reported with the HTTP one,
and plug-and-play sends the HTTPS URL only when the scheme setting asks for it."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from provisioning_phone import MAC, USER_AGENT, VendorPlugin, parse_cfg

from cordboard.core.config.bootstrap import BootstrapConfig
from cordboard.core.core import Core
from cordboard.core.provisioning import settings as prov_settings
from cordboard.core.sip.tls import WEB, certificate_files

SIP_PASSWORD = "anna-https-password-1"
CONFIG = BootstrapConfig(http_bind="127.0.0.1", http_port=0, https_port=0, sip_port=0)


async def _started(data: Path) -> Core:
    core = Core(data, CONFIG)
    await core.start(serve_sip=False)
    core.plugins.pm.register(VendorPlugin(), name="test_provisioning_vendor")
    return core


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Core]:
    core = await _started(tmp_path / "data")
    try:
        yield core
    finally:
        await core.stop()


def phone_context(core: Core) -> ssl.SSLContext:
    """What a phone given the appliance's certificate trusts: that certificate, host name checked."""
    return ssl.create_default_context(cafile=str(core.data_dir / certificate_files(WEB)[0]))


async def fetch(url: str, context: ssl.SSLContext | None = None) -> tuple[int, bytes]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, headers={"User-Agent": USER_AGENT}, ssl=context if context else False) as resp,
    ):
        return resp.status, await resp.read()


async def test_phone_fetches_over_https_and_old_ticket_is_refused_byd08_prov04(running: Core) -> None:
    core = running
    assert core.http is not None and core.provisioning is not None
    service = core.provisioning
    assert core.http.https_port and core.http.https_port != core.http.port
    anna = await core.identity.create_user(
        username="anna", first_name="Anna", last_name="T", email="a@example.com", extension="1001",
        sip_password=SIP_PASSWORD,
    )  # fmt: skip
    await service.add_device(source="manual", mac=MAC, model="CBT-1", user_id=anna.id)

    https_url = service.https_base_url("127.0.0.1")
    assert https_url == f"https://127.0.0.1:{core.http.https_port}{urlsplit(service.base_url()).path}"
    context = phone_context(core)
    status, body = await fetch(f"{https_url}cbt-{MAC}.cfg", context)
    assert status == 200, body
    values = parse_cfg(body)
    assert (values["line1.username"], values["line1.password"]) == ("anna", SIP_PASSWORD)
    assert values["base_url"] == https_url  # files it names are fetched over HTTPS too
    device = await service.get_device(MAC)
    assert device.last_fetch.endswith("served (with account)")

    # A client that trusts only the system's authorities refuses the self-signed certificate.
    with pytest.raises(aiohttp.ClientConnectorCertificateError):
        await fetch(f"{https_url}cbt-{MAC}.cfg", ssl.create_default_context())
    # Plain HTTP on the HTTPS port gets no answer.
    with pytest.raises(aiohttp.ClientError):
        await fetch(f"http://127.0.0.1:{core.http.https_port}{urlsplit(https_url).path}cbt-{MAC}.cfg")

    await service.renew_ticket()
    status, body = await fetch(f"{https_url}cbt-{MAC}.cfg", context)
    assert status == 404 and SIP_PASSWORD.encode() not in body
    new_url = service.https_base_url("127.0.0.1")
    assert new_url != https_url
    status, body = await fetch(f"{new_url}cbt-{MAC}.cfg", context)
    assert status == 200 and parse_cfg(body)["line1.password"] == SIP_PASSWORD


async def test_https_port_reported_with_http_port_and_pnp_scheme_byd08(running: Core) -> None:
    core = running
    assert core.http is not None and core.provisioning is not None
    service = core.provisioning
    await core.identity.create_user(
        username="root", first_name="Root", last_name="Admin", email="r@example.com", role="admin",
        password="admin-password-1",
    )  # fmt: skip
    context = phone_context(core)
    base = f"https://127.0.0.1:{core.http.https_port}"
    async with aiohttp.ClientSession() as session:
        # The whole application answers over HTTPS: log in and read the provisioning URLs.
        async with session.post(
            f"{base}/api/auth/login", json={"username": "root", "password": "admin-password-1"}, ssl=context
        ) as resp:
            assert resp.status == 200, await resp.text()
            token = (await resp.json())["token"]
        headers = {"Authorization": f"Bearer {token}"}
        async with session.get(f"{base}/api/provisioning", headers=headers, ssl=context) as resp:
            body = await resp.json()
    assert body["url"].startswith("http://") and f":{core.http.port}/provision/" in body["url"]
    assert body["https_url"] == service.https_base_url()
    assert f":{core.http.https_port}/provision/" in body["https_url"]
    assert body["settings"][prov_settings.SCHEME] == "http"

    # Plug-and-play sends HTTP unless the setting says https (phones rarely verify the certificate).
    assert (await service.pnp_base_url()).startswith("http://")
    await core.settings.set("org", None, prov_settings.SCHEME, "https")
    assert await service.pnp_base_url() == service.https_base_url()


async def test_certificate_made_once_and_kept_across_restarts_byd08(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cert_name, key_name = certificate_files(WEB)
    first = await _started(data)
    try:
        assert first.http is not None and first.http.https_port
        pem = (data / cert_name).read_bytes()
        assert (data / key_name).stat().st_mode & 0o077 == 0, "the private key is private"
    finally:
        await first.stop()
    second = await _started(data)
    try:
        assert (data / cert_name).read_bytes() == pem
        assert second.http is not None and second.http.https_port
        health = f"https://localhost:{second.http.https_port}/api/health"
        status, _ = await fetch(health, phone_context(second))
        assert status == 200
    finally:
        await second.stop()


async def test_https_off_leaves_http_alone(tmp_path: Path) -> None:
    core = Core(tmp_path / "data", replace(CONFIG, https_port=None))
    await core.start(serve_sip=False)
    try:
        assert core.http is not None and core.http.port and core.http.https_port is None
        assert core.provisioning is not None and core.provisioning.https_base_url() is None
        assert not (tmp_path / "data" / certificate_files(WEB)[0]).exists()
    finally:
        await core.stop()
