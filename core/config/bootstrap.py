"""cordboard.toml: the small bootstrap file (bind addresses, ports, log level) read with tomllib."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.core.const import BOOTSTRAP_FILE, DEFAULT_BIND, DEFAULT_HTTP_PORT, DEFAULT_SIP_PORT
from cordboard.core.exceptions import BootstrapConfigError
from cordboard.core.sip.transaction import DEFAULT_T1
from cordboard.core.storage.atomic import atomic_write_text

DEFAULT_HTTPS_PORT: Final = 8443
DEFAULT_T1_MS: Final = round(DEFAULT_T1 * 1000)
DEFAULT_BOOTSTRAP: Final = f"""\
# Cordboard bootstrap settings. Everything else is configured in the web UI.
# Restart Cordboard after changing this file.

[http]
# Address and port of the web UI and the REST/WebSocket API.
bind = "{DEFAULT_BIND}"
port = {DEFAULT_HTTP_PORT}
# The same web UI, API and provisioning over HTTPS, with a self-signed certificate made on the
# first start (tls/web.crt in the data folder); false turns HTTPS off.
https_port = {DEFAULT_HTTPS_PORT}
# Address printed in the setup link; empty means "this machine's LAN address".
# public_host = "pbx.example.com"

[sip]
# Address and port for SIP (UDP and TCP; TLS listens on port + 1).
bind = "{DEFAULT_BIND}"
port = {DEFAULT_SIP_PORT}
# Address phones reach this appliance at (Via, Contact, SDP); empty means the LAN address.
# advertise = "192.168.1.20"
# Digest algorithms offered to phones, best first. MD5 alone by default: many phones (Debian's
# baresip 1.0 among them) give up on a 401 that names SHA-256 at all. ["SHA-256", "MD5"] suits
# phones that know RFC 8760; put "MD5" first for those that read only the first challenge.
digest_algorithms = ["MD5"]
# RFC 3261's T1, the round-trip estimate that paces retransmissions and sets the transaction
# timeouts (64 x T1: 32 s at the default 500 ms). Raise it on slow links (satellite, long VPNs);
# lower it only on a LAN where every phone answers quickly.
t1_ms = {DEFAULT_T1_MS}

[rtp]
# UDP ports for relayed audio: two per call leg, four per call.
port_min = 10000
port_max = 20000

[storage]
# Health (and the web UI) warn when the data folder's disk has less free space than this, in MB.
low_disk_warning_mb = 200

[logging]
# One of debug, info, warning, error.
level = "info"
"""


def _https_port(value: Any) -> int | None:
    """A port, 0 (any free port), or false (no HTTPS): None."""
    if value is False:
        return None
    if value == 0 and not isinstance(value, bool):
        return 0
    try:
        return cv.port(value)
    except vol.Invalid:
        raise vol.Invalid(f"expected a port number (1-65535) or false, got {value!r}") from None


def _port_range(value: dict[str, int]) -> dict[str, int]:
    if value["port_max"] - value["port_min"] < 3:
        raise vol.Invalid("port_max must be at least port_min + 3", path=["port_max"])
    return value


BOOTSTRAP_SCHEMA: Final = vol.Schema(
    {
        vol.Optional("http", default={}): vol.Schema(
            {
                vol.Optional("bind", default=DEFAULT_BIND): cv.ip_address,
                vol.Optional("port", default=DEFAULT_HTTP_PORT): cv.port,
                vol.Optional("https_port", default=DEFAULT_HTTPS_PORT): _https_port,
                vol.Optional("public_host", default=""): cv.string,
            }
        ),
        vol.Optional("sip", default={}): vol.Schema(
            {
                vol.Optional("bind", default=DEFAULT_BIND): cv.ip_address,
                vol.Optional("port", default=DEFAULT_SIP_PORT): vol.Any(0, cv.port),
                vol.Optional("advertise", default=""): vol.Any("", cv.ip_address),
                vol.Optional("digest_algorithms", default=["MD5"]): vol.All(
                    [vol.In(["SHA-256", "MD5"], msg="expected SHA-256 or MD5")],
                    vol.Length(min=1, msg="name at least one algorithm"),
                    vol.Unique(msg="each algorithm once"),
                ),
                vol.Optional("t1_ms", default=DEFAULT_T1_MS): vol.All(
                    int, vol.Range(min=100, max=10000, msg="expected 100 to 10000 (ms)")
                ),
            }
        ),
        vol.Optional("rtp", default={}): vol.All(
            vol.Schema(
                {
                    vol.Optional("port_min", default=10000): cv.port,
                    vol.Optional("port_max", default=20000): cv.port,
                }
            ),
            _port_range,
        ),
        vol.Optional("storage", default={}): vol.Schema(
            {
                vol.Optional("low_disk_warning_mb", default=200): vol.All(
                    int, vol.Range(min=0, msg="expected a whole number of MB, 0 or more")
                ),
            }
        ),
        vol.Optional("logging", default={}): vol.Schema(
            {vol.Optional("level", default="info"): cv.log_level}
        ),
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class BootstrapConfig:
    """What Cordboard needs before it can open its database."""

    http_bind: str = DEFAULT_BIND
    """Address the HTTP server listens on."""
    http_port: int = DEFAULT_HTTP_PORT
    """Port of the web UI and API."""
    https_port: int | None = DEFAULT_HTTPS_PORT
    """Port of the same over HTTPS (0: any free port); None: no HTTPS."""
    public_host: str = ""
    """Host name or address printed in links; empty means the LAN address."""
    sip_bind: str = DEFAULT_BIND
    """Address SIP listens on."""
    sip_port: int = DEFAULT_SIP_PORT
    """Port of SIP over UDP and TCP."""
    sip_advertise: str = ""
    """Address put in SIP and SDP for phones to reach us; empty means the LAN address."""
    digest_algorithms: tuple[str, ...] = ("MD5",)
    """Digest algorithms offered in SIP challenges, best first."""
    sip_t1: float = DEFAULT_T1
    """RFC 3261 T1 in seconds: the first retransmission interval; transactions time out at 64 x T1."""
    rtp_port_min: int = 10000
    """First UDP port for relayed audio."""
    rtp_port_max: int = 20000
    """Last UDP port for relayed audio."""
    low_disk_warning_mb: int = 200
    """Health warns below this much free space in the data folder."""
    log_level: str = "info"
    """Root log level."""


def _line_of(text: str, section: str, key: str) -> int | None:
    in_section = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_section = stripped.strip("[] ") == section
        elif in_section and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None


def load_bootstrap(data_dir: Path, *, create: bool = True) -> BootstrapConfig:
    """Read ``cordboard.toml`` in ``data_dir``, writing the commented default on first run.

    A file that cannot be read or holds a bad value stops start-up with the file, line and reason.
    """
    path = data_dir / BOOTSTRAP_FILE
    if not path.exists():
        if not create:
            return BootstrapConfig()
        atomic_write_text(path, DEFAULT_BOOTSTRAP)
    try:
        raw_bytes = path.read_bytes()
        text = raw_bytes.decode("utf-8")
    except OSError as err:
        raise BootstrapConfigError(f"{path}: cannot be read: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise BootstrapConfigError(f"{path}: not UTF-8 text (byte {err.start})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise BootstrapConfigError(f"{path}: {err}") from None
    try:
        conf: dict[str, Any] = BOOTSTRAP_SCHEMA(raw)
    except vol.Invalid as err:
        errors = err.errors if isinstance(err, vol.MultipleInvalid) else [err]
        first = errors[0]
        names = [str(p) for p in first.path]
        line = _line_of(text, names[0], names[1]) if len(names) == 2 else None
        where = f"{path}, line {line}" if line else str(path)
        field = ".".join(names) or "(file)"
        message = "unknown setting" if first.msg.startswith("extra keys") else first.msg
        raise BootstrapConfigError(f"{where}: {field}: {message}") from None
    return BootstrapConfig(
        http_bind=conf["http"]["bind"],
        http_port=conf["http"]["port"],
        https_port=conf["http"]["https_port"],
        public_host=conf["http"]["public_host"],
        sip_bind=conf["sip"]["bind"],
        sip_port=conf["sip"]["port"],
        sip_advertise=conf["sip"]["advertise"],
        digest_algorithms=tuple(conf["sip"]["digest_algorithms"]),
        sip_t1=conf["sip"]["t1_ms"] / 1000,
        rtp_port_min=conf["rtp"]["port_min"],
        rtp_port_max=conf["rtp"]["port_max"],
        low_disk_warning_mb=conf["storage"]["low_disk_warning_mb"],
        log_level=conf["logging"]["level"],
    )
