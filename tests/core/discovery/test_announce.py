"""Zeroconf records of the appliance and the service types plugins declare (BYD-07), without network."""

from __future__ import annotations

import pytest

from cordboard.core.discovery.announce import (
    CORDBOARD_TYPE,
    HTTP_TYPE,
    SIP_TCP_TYPE,
    SIP_UDP_TYPE,
    Announcement,
    service_infos,
)
from cordboard.core.discovery.browse import service_type


def test_records_byd07() -> None:
    """BYD-07: _http._tcp with path=/, _sip._udp, _sip._tcp and _cordboard._tcp with version, setup
    and the HTTPS port, each with every LAN address of the appliance."""
    infos = service_infos(
        Announcement(
            name="Cordboard pbx",
            addresses=("192.168.1.20", "10.0.5.1"),
            http_port=8123,
            https_port=8443,
            sip_udp_port=5060,
            sip_tcp_port=5060,
            setup_open=False,
            host="pbx",
        )
    )
    by_type = {info.type: info for info in infos}
    assert set(by_type) == {HTTP_TYPE, CORDBOARD_TYPE, SIP_UDP_TYPE, SIP_TCP_TYPE}
    assert by_type[HTTP_TYPE].properties == {b"path": b"/"}
    assert by_type[CORDBOARD_TYPE].properties[b"setup"] == b"done"
    assert by_type[CORDBOARD_TYPE].properties[b"version"]
    assert by_type[CORDBOARD_TYPE].properties[b"https_port"] == b"8443"
    assert by_type[SIP_UDP_TYPE].port == 5060
    assert all(info.parsed_addresses() == ["192.168.1.20", "10.0.5.1"] for info in infos)
    assert by_type[HTTP_TYPE].name == f"Cordboard pbx.{HTTP_TYPE}"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("_snom._tcp.local.", "_snom._tcp.local."),
        ("_snom._tcp", "_snom._tcp.local."),
        ({"type": "_ipp._tcp.local."}, "_ipp._tcp.local."),
        ("snom", None),
        ({"name": "x"}, None),
        (42, None),
    ],
)
def test_manifest_types(entry: object, expected: str | None) -> None:
    assert service_type(entry) == expected
