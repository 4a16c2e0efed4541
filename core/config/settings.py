"""Scoped settings (FEATURES.md SET-01..05): specs, their registry, storage per scope and resolution."""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypedDict, TypeVar

import sqlite_utils
import voluptuous as vol

from cordboard.core.bus import EventType
from cordboard.core.config import validation as cv
from cordboard.core.config.scopes import ALL_SCOPES, Scope, SettingKind
from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.identity import fields

if TYPE_CHECKING:
    from cordboard.core.core import Core

_T = TypeVar("_T")
_KEY_RE: Final = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_COUNTRY_RE: Final = re.compile(r"^[A-Z]{2}$")
_HOST_RE: Final = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
KINDS: Final = ("scalar", "bool", "list")
SCOPE_LABELS: Final[dict[str, str]] = {"org": "the organisation", "group": "a user group", "user": "a user"}
ORG_ID: Final = ""
DEFAULT_SOURCE: Final = "default"


class SettingsChangedData(TypedDict):
    scope: str
    scope_id: str
    keys: list[str]


EVENT_SETTINGS_CHANGED: Final[EventType[SettingsChangedData]] = EventType("settings.changed")


@dataclass(frozen=True, slots=True, kw_only=True)
class SettingSpec:
    """One setting: its key ("domain.field"), how values combine, where it may be set, its validator."""

    key: str
    kind: SettingKind = "scalar"
    """scalar: most specific level wins; bool: OR-ed across levels (SET-03); list: added up (SET-05)."""
    scopes: frozenset[Scope] = field(default_factory=lambda: frozenset({"org"}))
    validator: Any = cv.string
    """A voluptuous validator (or schema literal such as ``[str]``) for one value."""
    default: Any = None
    user_editable: bool = False
    """Whether users may set it for themselves (the user scope of their own account)."""
    description: str = ""

    @property
    def domain(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def org_only(self) -> bool:
        return self.scopes == frozenset({"org"})

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def validate(self, value: Any) -> Any:
        """The validated value; raises ConfigValidationError naming the key."""
        try:
            return vol.Schema(self.validator)(value)
        except vol.Invalid as err:
            raise ConfigValidationError(f"Invalid value for {self.key}", {self.key: err.msg}) from None

    def check_scope(self, scope: str) -> None:
        """Refuse a level the setting does not allow (SET-04)."""
        if scope not in ALL_SCOPES:
            raise ConfigValidationError(f"Unknown level {scope!r}", {"scope": "expected org, group or user"})
        if not self.allows(scope):
            allowed = " or ".join(SCOPE_LABELS[s] for s in ALL_SCOPES if s in self.scopes)
            message = f"{self.key} can only be set for {allowed}"
            raise ConfigValidationError(message, {self.key: message})


class Resolved(NamedTuple):
    """An effective value and where it comes from: "user", "group:3", "org", "default" or, for
    lists, the contributing levels joined by "+" (e.g. "org+group:3+user")."""

    value: Any
    source: str


class SettingsRegistry:
    """The specs of the core and of loaded plugins, by key."""

    def __init__(self, specs: Iterable[SettingSpec] = ()) -> None:
        self._specs: dict[str, SettingSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: SettingSpec) -> None:
        if not _KEY_RE.match(spec.key):
            raise ValueError(f"Setting key {spec.key!r} must look like 'domain.field'")
        if spec.kind not in KINDS:
            raise ValueError(f"Setting {spec.key} has unknown kind {spec.kind!r}")
        if "org" not in spec.scopes or not spec.scopes <= set(ALL_SCOPES):
            raise ValueError(f"Setting {spec.key} must allow org and only org, group, user: {spec.scopes}")
        if spec.key in self._specs:
            raise ValueError(f"Setting {spec.key} is already registered")
        self._specs[spec.key] = spec

    def unregister(self, key: str) -> None:
        self._specs.pop(key, None)

    def get(self, key: str) -> SettingSpec:
        try:
            return self._specs[key]
        except KeyError:
            raise NotFound(f"No setting {key}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._specs

    def specs(self) -> list[SettingSpec]:
        return [self._specs[key] for key in sorted(self._specs)]


# -- the core's own settings --------------------------------------------------------------------


def country_code(value: Any) -> str:
    text = cv.string(value).strip().upper()
    if not _COUNTRY_RE.match(text):
        raise vol.Invalid("expected a two-letter country code such as DE")
    return text


def domain_name(value: Any) -> str:
    text = cv.string(value).strip().lower().rstrip(".")
    if not _HOST_RE.match(text):
        raise vol.Invalid("expected a domain name such as pbx.example.com")
    return text


CORE_SPECS: Final = (
    SettingSpec(
        key="core.organisation_name",
        validator=fields.name,
        default="Cordboard",
        description="Name of the organisation, shown in the web UI and on phones.",
    ),
    SettingSpec(
        key="core.country",
        validator=country_code,
        default=None,
        description="Country of the organisation (ISO 3166 code), for number formats.",
    ),
    SettingSpec(
        key="core.timezone",
        scopes=frozenset(ALL_SCOPES),
        validator=fields.timezone,
        default="UTC",
        description="Time zone for schedules and the times shown to users.",
    ),
    SettingSpec(
        key="core.language",
        scopes=frozenset(ALL_SCOPES),
        validator=vol.In(fields.LANGUAGES),
        default=fields.DEFAULT_LANGUAGE,
        user_editable=True,
        description="Language of prompts and of the web UI.",
    ),
    SettingSpec(
        key="core.extension_length",
        validator=vol.All(int, vol.Range(min=2, max=8, msg="expected a whole number from 2 to 8")),
        default=4,
        description="Number of digits of internal extensions.",
    ),
    SettingSpec(
        key="core.extension_range_start",
        validator=cv.extension,
        default="1000",
        description="First extension of the range handed out to users.",
    ),
    SettingSpec(
        key="core.extension_range_end",
        validator=cv.extension,
        default="1999",
        description="Last extension of the range handed out to users.",
    ),
    SettingSpec(
        key="core.ring_timeout",
        validator=vol.All(vol.Coerce(int), vol.Range(min=5, max=600, msg="expected seconds from 5 to 600")),
        default=60,
        description="Seconds a call rings before the caller hears that nobody answered.",
    ),
    SettingSpec(
        key="core.media_timeout",
        validator=vol.All(
            vol.Coerce(int),
            vol.Any(0, vol.Range(min=10, max=3600), msg="expected 0 (off) or seconds from 10 to 3600"),
        ),
        default=60,
        description="Seconds without audio from either phone after which a call counts as dead and ends "
        "(calls on hold are exempt); 0 turns the check off.",
    ),
    SettingSpec(
        key="core.sip_domain",
        validator=domain_name,
        default="cordboard.local",
        description="SIP domain of the users' addresses (sip:username@domain).",
    ),
    SettingSpec(
        key="core.call_recording_allowed",
        kind="bool",
        scopes=frozenset(ALL_SCOPES),
        validator=cv.boolean,
        default=False,
        description="Whether calls may be recorded; enabled at any level, it is enabled.",
    ),
)


# -- storage ------------------------------------------------------------------------------------


def _scope_id(db: sqlite_utils.Database, scope: str, scope_id: int | str | None) -> str:
    """The stored scope id: "" for the organisation, the id as text for an existing group or user."""
    if scope == "org":
        return ORG_ID
    table = {"group": "user_groups", "user": "users"}.get(scope)
    if table is None:
        raise ConfigValidationError(f"Unknown level {scope!r}", {"scope": "expected org, group or user"})
    try:
        number = int(scope_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound(f"No {scope} with id {scope_id}") from None
    if db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [number]).fetchone() is None:
        raise NotFound(f"No {'user group' if scope == 'group' else 'user'} with id {number}")
    return str(number)


def _dumps(key: str, value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        raise ConfigValidationError(f"Invalid value for {key}", {key: "cannot be stored"}) from None


def _write(db: sqlite_utils.Database, scope: str, scope_id: str, key: str, value: Any) -> None:
    db.execute(
        "INSERT INTO setting_values (scope, scope_id, key, value, updated) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(scope, scope_id, key) DO UPDATE SET value = excluded.value, updated = excluded.updated",
        [scope, scope_id, key, _dumps(key, value), time.time()],
    )


def set_value(
    db: sqlite_utils.Database, spec: SettingSpec, scope: str, scope_id: int | str | None, value: Any
) -> Any:
    """Validate and store ``value`` at one level; refuses a level the spec does not allow."""
    spec.check_scope(scope)
    validated = spec.validate(value)
    with db.atomic():
        _write(db, scope, _scope_id(db, scope, scope_id), spec.key, validated)
    return validated


def clear_value(
    db: sqlite_utils.Database, spec: SettingSpec | str, scope: str, scope_id: int | str | None
) -> None:
    """Remove the value set at one level, so the level above applies again."""
    key = spec.key if isinstance(spec, SettingSpec) else spec
    with db.atomic():
        db.execute(
            "DELETE FROM setting_values WHERE scope = ? AND scope_id = ? AND key = ?",
            [scope, _scope_id(db, scope, scope_id), key],
        )


def set_values(
    db: sqlite_utils.Database,
    registry: SettingsRegistry,
    scope: str,
    scope_id: int | str | None,
    values: Mapping[str, Any],
) -> dict[str, Any]:
    """Set several keys at one level in one transaction (None clears a key); all or nothing.

    Errors of every key are collected and raised together; returns the values now set there.
    """
    errors: dict[str, str] = {}
    validated: dict[str, Any] = {}
    for key, value in values.items():
        if key not in registry:
            errors[key] = "unknown setting"
            continue
        spec = registry.get(key)
        try:
            spec.check_scope(scope)
            validated[key] = None if value is None else spec.validate(value)
        except ConfigValidationError as err:
            errors.update(err.fields)
    if errors:
        raise ConfigValidationError("Some settings are invalid", errors)
    with db.atomic():
        stored_id = _scope_id(db, scope, scope_id)
        for key, value in validated.items():
            if value is None:
                db.execute(
                    "DELETE FROM setting_values WHERE scope = ? AND scope_id = ? AND key = ?",
                    [scope, stored_id, key],
                )
            else:
                _write(db, scope, stored_id, key, value)
        return values_at(db, scope, scope_id)


def values_at(db: sqlite_utils.Database, scope: str, scope_id: int | str | None) -> dict[str, Any]:
    """Every value stored at one level, by key (plugin org config included)."""
    stored_id = _scope_id(db, scope, scope_id)
    rows = db.execute(
        "SELECT key, value FROM setting_values WHERE scope = ? AND scope_id = ? ORDER BY key",
        [scope, stored_id],
    ).fetchall()
    return {key: json.loads(value) for key, value in rows}


# -- resolution ---------------------------------------------------------------------------------

Level = tuple[str, str, str]
"""(source label, scope, stored scope id), e.g. ("group:3", "group", "3")."""


def _levels(db: sqlite_utils.Database, user_id: int) -> list[Level]:
    """The levels that apply to a user, most general first: org, groups by rank (1 first), user."""
    if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is None:
        raise NotFound(f"No user with id {user_id}")
    groups = db.execute(
        "SELECT g.id FROM group_members m JOIN user_groups g ON g.id = m.group_id "
        "WHERE m.user_id = ? ORDER BY g.priority, g.id",
        [user_id],
    ).fetchall()
    return [
        ("org", "org", ORG_ID),
        *((f"group:{gid}", "group", str(gid)) for (gid,) in groups),
        ("user", "user", str(user_id)),
    ]


def _level_values(
    db: sqlite_utils.Database, levels: list[Level], key: str | None
) -> dict[str, list[tuple[str, str, Any]]]:
    """Stored values per key as (label, scope, value), in the order of ``levels``."""
    conditions = " OR ".join("(scope = ? AND scope_id = ?)" for _ in levels)
    params: list[Any] = [p for _label, scope, sid in levels for p in (scope, sid)]
    sql = f"SELECT scope, scope_id, key, value FROM setting_values WHERE ({conditions})"
    if key is not None:
        sql += " AND key = ?"
        params.append(key)
    stored = {(scope, sid, k): json.loads(v) for scope, sid, k, v in db.execute(sql, params).fetchall()}
    result: dict[str, list[tuple[str, str, Any]]] = {}
    keys = {k for _s, _i, k in stored}
    for k in sorted(keys):
        result[k] = [
            (label, scope, stored[(scope, sid, k)])
            for label, scope, sid in levels
            if (scope, sid, k) in stored
        ]
    return result


def _dedupe(items: Iterable[Any]) -> list[Any]:
    seen: set[str] = set()
    result = []
    for item in items:
        marker = json.dumps(item, sort_keys=True)
        if marker not in seen:
            seen.add(marker)
            result.append(item)
    return result


def combine(spec: SettingSpec, values: list[tuple[str, str, Any]]) -> Resolved:
    """Combine the values set for one user, most general first, by the spec's kind (SET-01/02/03/05)."""
    applicable = [(label, value) for label, scope, value in values if spec.allows(scope)]
    if not applicable:
        default = list(spec.default) if isinstance(spec.default, (list, tuple)) else spec.default
        return Resolved(default, DEFAULT_SOURCE)
    if spec.kind == "bool":
        for label, value in applicable:
            if value:
                return Resolved(True, label)
        return Resolved(False, applicable[-1][0])
    if spec.kind == "list":
        items: list[Any] = []
        for _label, value in applicable:
            items.extend(value if isinstance(value, list) else [value])
        return Resolved(_dedupe(items), "+".join(label for label, _value in applicable))
    # scalar: the user's own value, else the highest-ranked group's, else the organisation's.
    user_value = [(label, value) for label, value in applicable if label == "user"]
    if user_value:
        return Resolved(user_value[0][1], "user")
    groups = [(label, value) for label, value in applicable if label.startswith("group:")]
    if groups:
        return Resolved(groups[0][1], groups[0][0])
    return Resolved(applicable[0][1], applicable[0][0])


def resolve(db: sqlite_utils.Database, registry: SettingsRegistry, user_id: int, key: str) -> Resolved:
    """The effective value of ``key`` for a user and its source (see ``Resolved``)."""
    spec = registry.get(key)
    levels = _levels(db, user_id)
    return combine(spec, _level_values(db, levels, key).get(key, []))


def effective(db: sqlite_utils.Database, registry: SettingsRegistry, user_id: int) -> dict[str, Resolved]:
    """Every registered setting's effective value for a user."""
    levels = _levels(db, user_id)
    stored = _level_values(db, levels, None)
    return {spec.key: combine(spec, stored.get(spec.key, [])) for spec in registry.specs()}


def org_value(db: sqlite_utils.Database, registry: SettingsRegistry, key: str) -> Any:
    """The organisation's value of ``key``, or its default (for org-wide settings such as core.sip_domain)."""
    spec = registry.get(key)
    row = db.execute(
        "SELECT value FROM setting_values WHERE scope = 'org' AND scope_id = '' AND key = ?", [key]
    ).fetchone()
    return json.loads(row[0]) if row else spec.default


# -- plugin config documents --------------------------------------------------------------------


def _check_domain(domain: str) -> str:
    if domain == "core" or not re.match(r"^[a-z][a-z0-9_]*$", domain):
        raise ValueError(f"{domain!r} is not a plugin domain")
    return domain + "."


def plugin_config(db: sqlite_utils.Database, domain: str) -> dict[str, Any]:
    """A plugin's organisation-level config: its ``<domain>.<field>`` org rows, by field name."""
    prefix = _check_domain(domain)
    rows = db.execute(
        "SELECT key, value FROM setting_values WHERE scope = 'org' AND scope_id = '' "
        "AND substr(key, 1, ?) = ? ORDER BY key",
        [len(prefix), prefix],
    ).fetchall()
    return {key[len(prefix) :]: json.loads(value) for key, value in rows}


def replace_plugin_config(db: sqlite_utils.Database, domain: str, config: Mapping[str, Any]) -> None:
    """Replace all of a plugin's org rows with ``config`` (already validated) in one transaction."""
    prefix = _check_domain(domain)
    with db.atomic():
        db.execute(
            "DELETE FROM setting_values WHERE scope = 'org' AND scope_id = '' AND substr(key, 1, ?) = ?",
            [len(prefix), prefix],
        )
        for name, value in config.items():
            _write(db, "org", ORG_ID, prefix + name, value)


# -- the async service --------------------------------------------------------------------------


_IMMUTABLE: Final = frozenset({str, int, float, bool, type(None)})


def _copy_of(value: Any) -> Any:
    """A copy of a cached value that the caller may change (scalars need none; deepcopy is slow)."""
    return value if type(value) in _IMMUTABLE else copy.deepcopy(value)


class SettingsService:
    """The settings registry and async access to stored and effective values."""

    def __init__(self, core: Core) -> None:
        from cordboard.core.calls.announcement import announcement_setting
        from cordboard.core.calls.caller_id import CALLER_ID_SPECS
        from cordboard.core.calls.personal_queue import PERSONAL_QUEUE_SPECS
        from cordboard.core.calls.preferences import PREFERENCE_SPECS
        from cordboard.core.dialplan.settings import DIALPLAN_SPECS
        from cordboard.core.media.moh_library import music_on_hold_setting
        from cordboard.core.presence.settings import PRESENCE_SPECS
        from cordboard.core.provisioning.settings import PROVISIONING_SPECS
        from cordboard.core.routing.settings import ROUTING_SPECS

        self._core = core
        # Specs that need the data folder (music on hold is checked against the classes on disk).
        self.registry = SettingsRegistry(
            (
                *CORE_SPECS,
                *PROVISIONING_SPECS,
                *ROUTING_SPECS,
                *DIALPLAN_SPECS,
                *CALLER_ID_SPECS,
                *PREFERENCE_SPECS,
                *PERSONAL_QUEUE_SPECS,
                *PRESENCE_SPECS,
                music_on_hold_setting(core.data_dir),
                announcement_setting(core.data_dir),
            )
        )

        self._org_values: dict[str, Any] = {}
        """The organisation's values read so far: calls read some (ring times, the country) each
        time, so they come from memory."""
        self._resolved: dict[tuple[int, str], Resolved] = {}
        """Users' effective values read so far (a call reads the callee's announcement setting,
        a notice the user's wishes): the call path waits for no database thread, which may be
        busy committing the call history."""
        self._generation = 0
        """Counts the drops of both caches (at every change of settings, users or groups, ours
        or another process's): a read that overlapped one keeps its value out of the cache."""
        from cordboard.core.core import EVENT_EXTERNAL_CHANGE
        from cordboard.core.identity.service import MEMBERSHIP_EVENTS

        for event in (EVENT_EXTERNAL_CHANGE, *MEMBERSHIP_EVENTS):
            core.bus.listen(event, self._forget_values)

    def _forget_values(self, _event: Any = None) -> None:
        self._org_values.clear()
        self._resolved.clear()
        self._generation += 1

    def _forget_changed(self, scope: str, scope_id: int | str | None, keys: list[str]) -> None:
        """Only what a change at one level can alter: the organisation's values of ``keys`` (at
        the organisation's level), the users' values of ``keys``: one user's at theirs, everyone's
        at a group's or the organisation's."""
        changed = set(keys)
        if scope == "org":
            for key in changed:
                self._org_values.pop(key, None)
        only = str(scope_id) if scope == "user" else None
        self._resolved = {
            cached: value
            for cached, value in self._resolved.items()
            if cached[1] not in changed or (only is not None and str(cached[0]) != only)
        }
        self._generation += 1

    async def _db(self, func: Callable[[sqlite_utils.Database], _T]) -> _T:
        return await self._core.db.call(func)

    def _changed(self, scope: str, scope_id: int | str | None, keys: list[str]) -> None:
        self._forget_changed(scope, scope_id, keys)
        sid = ORG_ID if scope == "org" else str(scope_id)
        self._core.bus.fire(EVENT_SETTINGS_CHANGED, {"scope": scope, "scope_id": sid, "keys": keys})

    async def get(self, scope: str, scope_id: int | str | None = None) -> dict[str, Any]:
        """The values stored at one level (organisation: ``scope_id`` None)."""
        return await self._db(lambda db: values_at(db, scope, scope_id))

    async def set(self, scope: str, scope_id: int | str | None, key: str, value: Any) -> Any:
        """Validate and store one value; returns the stored (validated) value."""
        spec = self.registry.get(key)
        stored = await self._db(lambda db: set_value(db, spec, scope, scope_id, value))
        self._changed(scope, scope_id, [key])
        return stored

    async def set_many(
        self, scope: str, scope_id: int | str | None, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Set (None: clear) several keys at one level, all or nothing; returns the level's values."""
        result = await self._db(lambda db: set_values(db, self.registry, scope, scope_id, values))
        self._changed(scope, scope_id, sorted(values))
        return result

    async def clear(self, scope: str, scope_id: int | str | None, key: str) -> None:
        await self._db(lambda db: clear_value(db, key, scope, scope_id))
        self._changed(scope, scope_id, [key])

    async def resolve(self, user_id: int, key: str) -> Any:
        """The effective value of ``key`` for a user (SET-01..05)."""
        return (await self.resolve_with_source(user_id, key)).value

    async def resolve_with_source(self, user_id: int, key: str) -> Resolved:
        cached = self._resolved.get((user_id, key))
        if cached is None:
            generation = self._generation
            cached = await self._db(lambda db: resolve(db, self.registry, user_id, key))
            if generation != self._generation:
                return cached
            self._resolved[(user_id, key)] = cached
        return Resolved(_copy_of(cached.value), cached.source)

    async def effective(self, user_id: int) -> dict[str, Resolved]:
        return await self._db(lambda db: effective(db, self.registry, user_id))

    async def org_value(self, key: str) -> Any:
        if key not in self._org_values:
            generation = self._generation
            value = await self._db(lambda db: org_value(db, self.registry, key))
            if generation != self._generation:
                return value
            self._org_values[key] = value
        return _copy_of(self._org_values[key])

    async def get_plugin_config(self, domain: str) -> dict[str, Any]:
        """A plugin's stored org-level config document (field names without the domain prefix)."""
        return await self._db(lambda db: plugin_config(db, domain))

    async def replace_plugin_config(self, domain: str, config: Mapping[str, Any]) -> None:
        """Replace a plugin's stored org-level config in one transaction."""
        data = dict(config)
        await self._db(lambda db: replace_plugin_config(db, domain, data))
        self._changed("org", None, sorted(f"{domain}.{name}" for name in data))
