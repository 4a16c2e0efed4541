"""cordboard.toml: created with commented defaults; bad files stop start-up naming file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from cordboard.core.config.bootstrap import load_bootstrap
from cordboard.core.exceptions import BootstrapConfigError


def test_first_run_writes_commented_defaults(tmp_path: Path) -> None:
    config = load_bootstrap(tmp_path)
    text = (tmp_path / "cordboard.toml").read_text()
    assert "# Cordboard bootstrap settings" in text
    assert (config.http_port, config.sip_port, config.http_bind, config.log_level) == (
        8123,
        5060,
        "0.0.0.0",
        "info",
    )


def test_values_are_read(tmp_path: Path) -> None:
    (tmp_path / "cordboard.toml").write_text(
        '[http]\nport = 9000\nbind = "127.0.0.1"\n[logging]\nlevel="DEBUG"\n'
    )
    config = load_bootstrap(tmp_path)
    assert (config.http_port, config.http_bind, config.log_level, config.sip_port) == (
        9000,
        "127.0.0.1",
        "debug",
        5060,
    )


def test_sip_t1_paces_retransmissions(tmp_path: Path) -> None:
    """RFC 3261's T1: 500 ms unless set (a slow link raises it); the SIP transactions use it."""
    assert load_bootstrap(tmp_path).sip_t1 == 0.5
    (tmp_path / "cordboard.toml").write_text("[sip]\nt1_ms = 2000\n")
    assert load_bootstrap(tmp_path).sip_t1 == 2.0


@pytest.mark.parametrize(("value", "expected"), [("8443", 8443), ("0", 0), ("false", None)])
def test_https_port_byd08(tmp_path: Path, value: str, expected: int | None) -> None:
    """HTTPS on 8443 by default, 0 for any free port, false for none."""
    assert load_bootstrap(tmp_path).https_port == 8443
    (tmp_path / "cordboard.toml").write_text(f"[http]\nhttps_port = {value}\n")
    assert load_bootstrap(tmp_path).https_port == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[http]\nport = \n", "line 2"),
        ('[http]\nbind = "0.0.0.0"\nport = "eighty"\n', "line 3: http.port: expected a port number"),
        ("[http]\nport = 70000\n", "line 2: http.port: port must be between 1 and 65535"),
        ('[sip]\nbind = "nowhere"\n', "line 2: sip.bind: expected an IP address"),
        ("[http]\ncolour = 1\n", "http.colour: unknown setting"),
        ('[logging]\nlevel = "loud"\n', "logging.level: expected one of"),
        ("[http]\nhttps_port = true\n", "line 2: http.https_port: expected a port number (1-65535) or false"),
        ("[sip]\nt1_ms = 20\n", "line 2: sip.t1_ms: expected 100 to 10000 (ms)"),
    ],
)
def test_bad_file_names_file_line_and_reason(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "cordboard.toml").write_text(content)
    with pytest.raises(BootstrapConfigError) as err:
        load_bootstrap(tmp_path)
    assert str(tmp_path / "cordboard.toml") in str(err.value)
    assert expected in str(err.value)


def test_non_utf8_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "cordboard.toml").write_bytes(b"[http]\nport = 1\n\xff\xfe")
    with pytest.raises(BootstrapConfigError, match="not UTF-8"):
        load_bootstrap(tmp_path)
