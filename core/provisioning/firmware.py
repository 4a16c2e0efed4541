"""Firmware URLs per phone model (issue 9, "firmware URL optional"): the admin names, for a vendor's
model, the URL its phones should load their firmware from; the vendor plugins put it into the
phone's configuration in their own setting (``PhoneConfig.firmware_url``). A model without an entry
gets no firmware setting at all, and the phone keeps the firmware it has.

Where each vendor plugin puts it (the vendors' documented setting names, untested on real phones):
Snom ``firmware_status`` naming a ``<MAC>-firmware.xml`` with ``<firmware>``; Yealink
``firmware.url``; Grandstream ``P192`` (firmware server path) with ``P212`` (HTTP or HTTPS);
Fanvil ``Flash Server IP``/``Flash File Name``; Poly the master file's ``APP_FILE_PATH``; Mitel
``firmware server`` (a folder). For Grandstream and Mitel the URL names the folder the phone loads
its firmware files from, for the others the firmware file itself.

Kept as one small JSON document (a ``Store``, like the provisioning ticket): a list of entries
``{"vendor", "model", "url"}``, at most one per vendor and model (compared case-insensitively). The
API replaces the whole list; every bad field is named ``entries.<row>.<field>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import voluptuous as vol

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.http.errors import invalid_fields
from cordboard.core.provisioning.devices import model as model_text
from cordboard.core.storage.db import Database
from cordboard.core.storage.store import Store

STORE_KEY: Final = "core.provisioning.firmware"
URL_MAX: Final = 500
ENTRIES_MAX: Final = 200
_VENDOR_NAME: Final = vol.Match(r"^[a-z][a-z0-9_]{0,31}$", msg="expected a vendor name such as yealink")


def firmware_url(value: Any) -> str:
    """An absolute ``http://`` or ``https://`` URL with a host, without spaces (vol.Invalid otherwise)."""
    if not isinstance(value, str) or not value.strip():
        raise vol.Invalid("expected an http:// or https:// URL")
    text = value.strip()
    if len(text) > URL_MAX:
        raise vol.Invalid(f"at most {URL_MAX} characters")
    if any(c.isspace() or not c.isprintable() for c in text):
        raise vol.Invalid("no spaces or control characters")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise vol.Invalid("expected an http:// or https:// URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise vol.Invalid("only http:// and https:// URLs with a host")
    return text


def _model(value: Any) -> str:
    text = model_text(value)
    if not text:
        raise vol.Invalid("required")
    return text


ENTRY_SCHEMA: Final = vol.Schema(
    {
        vol.Required("vendor"): vol.All(str, vol.Lower, _VENDOR_NAME),
        vol.Required("model"): _model,
        vol.Required("url"): firmware_url,
    },
    extra=vol.PREVENT_EXTRA,
)
BODY_SCHEMA: Final = vol.Schema(
    {
        vol.Required("entries"): vol.All(
            [ENTRY_SCHEMA], vol.Length(max=ENTRIES_MAX, msg=f"at most {ENTRIES_MAX} entries")
        )
    },
    extra=vol.PREVENT_EXTRA,
)


@dataclass(frozen=True, slots=True)
class FirmwareEntry:
    vendor: str
    """A vendor plugin's name (``snom``, ``yealink``, ...)."""
    model: str
    """The model as the device list has it (``T46U``, ``D785``); compared case-insensitively."""
    url: str


def _key(vendor: str, model: str) -> tuple[str, str]:
    return vendor.lower(), " ".join(model.split()).lower()


def check_entries(raw: Any, vendors: Iterable[str]) -> list[FirmwareEntry]:
    """The entries of a ``{"entries": [...]}`` body (``BODY_SCHEMA``); ConfigValidationError names
    every bad field (an unknown vendor, a second entry for a vendor and model, a URL that is not
    http or https)."""
    try:
        body = BODY_SCHEMA(raw)
    except vol.Invalid as err:
        raise ConfigValidationError("Some firmware URLs are invalid", invalid_fields(err)) from None
    known = set(vendors)
    errors: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    entries = []
    for row, item in enumerate(body["entries"]):
        entry = FirmwareEntry(item["vendor"], item["model"], item["url"])
        if entry.vendor not in known:
            errors[f"entries.{row}.vendor"] = "no provisioning plugin of this vendor is enabled"
        key = _key(entry.vendor, entry.model)
        if key in seen:
            errors[f"entries.{row}.model"] = "this vendor and model already have a URL"
        seen.add(key)
        entries.append(entry)
    if errors:
        raise ConfigValidationError("Some firmware URLs are invalid", errors)
    return entries


class FirmwareUrls:
    """The stored entries, read once and kept; ``url_for`` answers a phone's fetch."""

    def __init__(self, db: Database) -> None:
        self._store: Store[dict[str, Any]] = Store(db, STORE_KEY, 1)
        self._entries: list[FirmwareEntry] | None = None

    async def entries(self) -> list[FirmwareEntry]:
        if self._entries is None:
            stored = await self._store.load() or {}
            self._entries = [FirmwareEntry(**item) for item in stored.get("entries", [])]
        return list(self._entries)

    async def replace(self, entries: list[FirmwareEntry]) -> None:
        await self._store.save({"entries": [asdict(e) for e in entries]})
        self._entries = list(entries)

    async def url_for(self, vendor: str, model: str) -> str | None:
        """The firmware URL of ``vendor``'s ``model``; None without an entry (or without a model)."""
        if not model:
            return None
        wanted = _key(vendor, model)
        return next((e.url for e in await self.entries() if _key(e.vendor, e.model) == wanted), None)
