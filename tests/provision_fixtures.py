"""What the vendor plugins' tests (``tests/plugins/provision_<vendor>/``) share: the phone they
render for (``phone_config``, with two accounts whose values need escaping), a file the vendor must
have (``rendered``), the golden-file check (``UPDATE_GOLDEN=1`` rewrites the file) and the vendors
the plugin manager returns."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

from cordboard.core.core import Core
from cordboard.core.provisioning.vendor import (
    DirectoryEntry,
    FunctionKey,
    LineAccount,
    PhoneConfig,
    ProvisioningVendor,
    RenderedFile,
)

BASE_URL: Final = "http://pbx.example.lan:8080/provision/Tk3n-Secret/"
ACCOUNTS: Final = (
    LineAccount(1, "1001", "pa<ss>&\"word'", 'Ann "A&B" <Andersen>', "1001", "pbx.example.lan", 5060),
    LineAccount(2, "1002", "second-secret", "Support line", "1002", "pbx.example.lan", 5061, "tcp"),
)
KEYS: Final = (
    FunctionKey(1, "line", "1", "Ann"),
    FunctionKey(2, "line", "2", "Support"),
    FunctionKey(3, "blf", "1003", "Bo & Co"),
    FunctionKey(4, "blf", "1004", "<Carl>"),
    FunctionKey(5, "speed_dial", "004512345678", "Taxi"),
)
DIRECTORY: Final = (
    DirectoryEntry("Smith & Sons <Ltd> \"quoted\" 'apos'", "1005", "Sales"),
    DirectoryEntry("Æble Østergård", "+4512345678"),
)


def phone_config(mac: str, model: str, **fields: Any) -> PhoneConfig:
    """A phone with ``ACCOUNTS`` at ``BASE_URL`` in Copenhagen (English, Danish tones, NTP server
    ``ntp.example.lan``); ``fields`` set or replace any other ``PhoneConfig`` field."""
    values: dict[str, Any] = {
        "accounts": ACCOUNTS,
        "base_url": BASE_URL,
        "timezone": "Europe/Copenhagen",
        "language": "en",
        "country": "DK",
        "ntp_server": "ntp.example.lan",
        **fields,
    }
    return PhoneConfig(mac=mac, model=model, **values)


def rendered(vendor: ProvisioningVendor, path: str, config: PhoneConfig) -> RenderedFile:
    """The file at ``path``, which the vendor must have for ``config``."""
    file = vendor.render(path, config)
    assert file is not None, path
    return file


def check_golden(folder: Path, name: str, body: bytes) -> None:
    path = folder / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_bytes(body)
    assert body == path.read_bytes(), f"{name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)"


def hook_vendors(core: Core) -> dict[str, ProvisioningVendor]:
    """The vendors the enabled plugins return through ``cordboard_provisioning_vendor``, by name."""
    return {v.vendor: v for v in core.plugins.pm.hook.cordboard_provisioning_vendor() if v is not None}
