"""Every ``cordboard_*`` hook: these docstrings are the plugin author's reference.

A plugin is a package whose ``__init__.py`` holds hook implementations, marked with
``cordboard.core.plugin_api.hookimpl``. Hooks are synchronous: pluggy never awaits, and the core
refuses an ``async def`` implementation when the plugin is registered. Async work is returned as
objects (an async context manager from ``cordboard_lifespan``) that the core runs.

Hooks marked *per plugin* are called only on the plugin they concern (the core asks each plugin
for its own schema, migrations, lifespan and routes). The others are broadcast to every enabled
plugin in dependency order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import voluptuous as vol
    from aiohttp import web

    from cordboard.core.calls.address_book import ContactMatch
    from cordboard.core.calls.channel import ChannelHandler, InboundCall
    from cordboard.core.calls.subscriptions import MessageCounts
    from cordboard.core.core import Core
    from cordboard.core.discovery.browse import DiscoveredPhone, ZeroconfService
    from cordboard.core.features.model import FeatureCode
    from cordboard.core.numbers.flow import FlowNode
    from cordboard.core.numbers.model import NumberClaim
    from cordboard.core.plugin_api import SettingScope
    from cordboard.core.provisioning.vendor import DirectoryEntry, ProvisioningVendor
    from cordboard.core.sip.event_bodies import DialogInfo
    from cordboard.core.storage.migrations import Migration

hookspec = pluggy.HookspecMarker("cordboard")

# ---------------------------------------------------------------------------------------------
# Registration hooks
# ---------------------------------------------------------------------------------------------


@hookspec(historic=True)
def cordboard_add_hookspecs(plugin_manager: pluggy.PluginManager) -> None:
    """Add a plugin's own hookspecs so that other plugins can extend it.

    Call ``plugin_manager.add_hookspecs(my_hookspecs_module)``. Historic: a plugin registered
    later still receives the call.

    :param plugin_manager: the pluggy manager of this Cordboard.
    """


# ---------------------------------------------------------------------------------------------
# Per-plugin hooks: configuration and storage
# ---------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def cordboard_config_schema() -> vol.Schema | None:
    """Return the plugin's ``CONFIG_SCHEMA``, a ``voluptuous.Schema`` over a dict. *Per plugin.*

    The core validates the stored configuration against it before ``cordboard_lifespan`` runs and
    whenever an administrator saves new settings: an invalid value is refused with an error that
    names the field, and nothing is saved. The web UI builds the plugin's settings form from the
    schema serialized with voluptuous-serialize, so prefer plain validators (``str``, ``int``,
    ``bool``, ``vol.In``, ``vol.Range``) and give every optional key a default. Return None for a
    plugin without settings.
    """


@hookspec(firstresult=True)
def cordboard_setting_scopes() -> Mapping[str, SettingScope] | None:
    """Declare which fields of ``CONFIG_SCHEMA`` may also be set per user group or per user. *Per plugin.*

    Fields not named here are organisation-only. The core resolves a scoped field for a user by
    the settings rules (FEATURES.md SET-01..05): the most specific level wins, groups by their
    priority, booleans OR-ed across levels, lists added up. Read the result with
    ``await core.settings.resolve(user_id, "<domain>.<field>")``.

    :return: mapping of field name to ``SettingScope(scopes=..., kind=..., user_editable=...)``.
    """


@hookspec(firstresult=True)
def cordboard_migrations() -> Sequence[Migration] | None:
    """Return the plugin's database migrations, versions counting from 1. *Per plugin.*

    Each ``Migration(version, description, apply)`` runs once, inside a transaction, the first
    time the plugin is enabled at a version it has not reached; the plugin's version is recorded
    in ``schema_versions`` under its domain. Never change a released migration: add the next one.
    A data folder whose plugin version is newer than the code's makes enabling fail with a message.
    """


# ---------------------------------------------------------------------------------------------
# Per-plugin hooks: runtime
# ---------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None] | None:
    """Return an async context manager that runs while the plugin is enabled. *Per plugin.*

    The core enters it when the plugin is enabled (in dependency order at start-up) and exits it
    when the plugin is disabled, reconfigured or Cordboard stops (in reverse order). Set up in the
    part before ``yield`` (register services with ``core.services.register``, publish states with
    ``core.states.set``, listen with ``core.bus.listen``, start tasks with ``core.create_task``)
    and undo all of it after. Raise ``PluginNotReady`` to be retried with backoff.

    Typical implementation::

        @hookimpl
        def cordboard_lifespan(core, config):
            return my_runtime(core, config)   # an @contextlib.asynccontextmanager function

    :param core: the running Core.
    :param config: the plugin's configuration, already validated by its ``CONFIG_SCHEMA``.
    """


@hookspec(firstresult=True)
def cordboard_http_routes() -> web.RouteTableDef | None:
    """Return the plugin's REST routes, mounted under ``/api/<domain>``. *Per plugin.*

    Paths are relative: ``@routes.get("/status")`` answers ``GET /api/<domain>/status``. Routes
    are admin-only unless the handler is decorated with ``api(access="user")`` or
    ``api(access="public")`` from ``cordboard.core.plugin_api``; the core enforces that, and maps
    errors to the JSON error shape. Handlers reach the core with ``request.app[CORE_KEY]``. While
    the plugin is disabled its routes answer 404.
    """


# ---------------------------------------------------------------------------------------------
# Calls
# ---------------------------------------------------------------------------------------------


@hookspec
def cordboard_number_claims(core: Core) -> Sequence[NumberClaim] | None:
    """Return the numbers this plugin answers (``NumberClaim(number, label)``), for the number
    registry (``core.numbers``, NUM-07): each number has one owner, so the registry refuses users
    and aliases on them and lists them with the label as their owner. Called when any plugin loads
    or unloads (read your numbers from what your lifespan set up). A claim on a number that is
    already a user's, an alias or another plugin's is dropped with an error in the log. Claiming
    does not route calls: answer them in ``cordboard_route_call``.

    :param core: the running Core.
    """


@hookspec(firstresult=True)
def cordboard_route_call(core: Core, call: InboundCall) -> ChannelHandler | None:
    """Claim an inbound call: return an async function that drives its ``Channel``, or None.

    Called for every authenticated INVITE, before the number is looked up as an extension; the
    first plugin (in dependency order) that returns a function gets the call. The function receives
    the inbound ``Channel`` (ringing, not yet answered) and uses its awaitables (``answer``,
    ``ring``, ``progress``, ``play``, ``collect_digits``, ``record``, ``start_tone``, ``hold``,
    ``join``, ``dial``, ``bridge``, ``transfer``, ``hangup``, ``events``; see
    ``cordboard.core.calls.channel`` for complete examples). When it returns, raises or is
    cancelled the core ends the call and every call it dialled: BYE if answered, else the
    ``hangup(cause)`` status, 480 by default (500 if it raised). A caller who hangs up makes the
    pending awaitable raise ``ChannelHungUp``.

    :param core: the running Core.
    :param call: the dialled number and the authenticated caller.
    """


@hookspec
def cordboard_feature_codes(core: Core) -> Sequence[FeatureCode] | None:
    """Return the feature codes this plugin answers (FC-15..17): each ``FeatureCode`` has a stable
    key, default digits, the names of its fields in the on (``*CODE*FIELD*``) and off (``#CODE#``
    or ``**CODE*FIELD*``) forms, and an async handler that gets a ``FeatureRequest`` (the caller's
    user id, on/off, the fields by name, the channel) and returns the prompts that confirm it, or
    raises ``FeatureRefused`` for the error announcement. The admin may change the digits; a code
    whose digits start like another's is not registered (an error in the log). Called when any
    plugin loads or unloads. See ``cordboard.core.features``.

    :param core: the running Core.
    """


@hookspec(firstresult=True)
def cordboard_feature_login(core: Core, user_id: int, identifier: str, log_in: bool) -> bool | None:
    """FC-01: the caller dialled ``*11*ID*`` (log in) or ``**11*ID*`` (log out) for the ACD or
    attendant group whose feature-code identifier (FC-16) is ``identifier``. Return True once done,
    False when the caller may not log in there (ACD-41: they hear the refusal), None when the
    identifier is not one of yours.

    :param core: the running Core.
    :param user_id: the caller.
    :param identifier: the group's feature-code identifier (``1500``).
    :param log_in: True to log in, False to log out.
    """


@hookspec(firstresult=True)
def cordboard_voicemail(core: Core, user_id: int) -> ChannelHandler | None:
    """The handler that takes a caller into the user's mailbox (their greeting, then a message):
    for ``*1*EXT*`` (FC-14) and calls transferred there (PKP-09). None when you keep no mailbox
    for the user.

    :param core: the running Core.
    :param user_id: whose mailbox.
    """


@hookspec(firstresult=True)
def cordboard_number_dialogs(core: Core, number: str) -> Sequence[DialogInfo] | None:
    """What a busy-lamp key on one of your numbers shows (RFC 4235 dialogs: a park position with
    a call waiting is ``confirmed``), or None when ``number`` is not yours. Fire
    ``number.dialogs_changed`` (``cordboard.core.calls.subscriptions.EVENT_NUMBER_DIALOGS``) with
    ``{"number": ...}`` when it changes; phones watching the number get a NOTIFY at once.

    :param core: the running Core.
    :param number: the number a phone watches.
    """


@hookspec(firstresult=True)
def cordboard_number_flow(core: Core, number: str) -> FlowNode | Awaitable[FlowNode] | None:
    """Where calls to ``number``, one of your numbers, go (AA-02, the admin's call-flow tree): a
    ``FlowNode(number, kind, label, edges)`` whose ``FlowEdge(label, target, kind, note)`` say where
    a call goes next (an IVR's ``key 1`` to ``1500``, a hunt group's ``member``s and ``fallback``,
    ``voicemail`` with the mailbox user's number as target), or None when ``number`` is not yours.
    Edges of kind ``number`` are described in turn by whoever owns their target. Answer from
    memory; when the description needs the database, return an awaitable (a coroutine) of the node.
    See ``cordboard.core.numbers.flow``.

    :param core: the running Core.
    :param number: the number the admin looks at.
    """


@hookspec(firstresult=True)
def cordboard_message_counts(core: Core, user_id: int) -> MessageCounts | None:
    """The user's voice messages (``MessageCounts(new, old, new_urgent, old_urgent)``) for the
    message-waiting lamp of their phones (BYD-10, RFC 3842), or None when you keep no mailbox for
    them. Fire ``mailbox.counts_changed`` (``cordboard.core.calls.subscriptions.EVENT_MESSAGE_COUNTS``)
    with ``{"user_id": ...}`` whenever they change: every phone of the user subscribed to its
    mailbox gets a NOTIFY at once.

    :param core: the running Core.
    :param user_id: whose mailbox.
    """


@hookspec(firstresult=True)
def cordboard_contact_lookup(core: Core, user_id: int, number: str) -> ContactMatch | None:
    """Return a ``ContactMatch`` when ``number``, an outside number, is in the address books user
    ``user_id`` sees, else None. The first plugin that answers decides.

    Asked for every call from outside (over a trunk) to a user, before their rules run: the
    match's ``name`` replaces the name the network sent on the called phones, in the call history
    and in the events, and ``blocked`` refuses the call (603 Decline) before anything rings
    (BAR-07). Asked too for a user's call out over the trunks: the name goes into the call
    history. Runs on the event loop: answer from memory, never from the database or the network.

    :param core: the running Core.
    :param user_id: the user called (or calling).
    :param number: the outside number: as the trunk presented the caller (E.164 when it could
        tell), or as the user dialled it.
    """


@hookspec(firstresult=True)
def cordboard_dial_shortcut(core: Core, user_id: int, dialled: str) -> str | None:
    """User ``user_id`` dialled ``dialled``, which is nobody's number here: return the number it
    is a shortcut for (a contact's speed dial, DIR-16), else None. The call then goes to that
    number as if it had been dialled (the caller's outgoing rules and barring apply to it). Runs
    on the event loop for such calls: answer from memory.

    :param core: the running Core.
    :param user_id: the calling user.
    :param dialled: the digits the user dialled.
    """


@hookspec
def cordboard_phone_directory(core: Core, user_id: int | None) -> Sequence[DirectoryEntry] | None:
    """Entries to add to the phone book that provisioned desk phones get (BYD-29), after the
    company's users. Called when a phone's configuration is rendered; every plugin's answer is
    used. Answer from memory.

    :param core: the running Core.
    :param user_id: the user the phone is assigned to (None for a phone without a user), so that a
        user's own contacts can be included.
    """


@hookspec
def cordboard_group_admin_pages(core: Core, group_ids: frozenset[int]) -> Sequence[str] | None:
    """The web UI pages (the app's route names, such as ``group-inboxes``) that a user in the
    user groups ``group_ids`` may use as a group administrator (ROLE-04): those of the plugin's
    function numbers whose ``admin_groups`` include one of them. Every plugin's answer is used;
    answer from memory. The plugin's routes check each item (``cordboard.core.http.group_admins``).

    :param core: the running Core.
    :param group_ids: the user's groups (never called for administrators).
    """


# ---------------------------------------------------------------------------------------------
# Provisioning
# ---------------------------------------------------------------------------------------------
@hookspec
def cordboard_provisioning_vendor() -> ProvisioningVendor | None:
    """Return the vendor's provisioning (file formats of its desk phones), for vendor plugins
    (``plugins/provision_snom/``, ...). Every enabled vendor plugin's answer is used.

    See ``cordboard.core.provisioning.vendor``: the core serves ``/provision/<ticket>/<path>``,
    asks each vendor which MAC the path names, and has the device's vendor render the file from a
    ``PhoneConfig`` (accounts, keys, directory, time zone, language).
    """


# ---------------------------------------------------------------------------------------------
# Discovery
# ---------------------------------------------------------------------------------------------
@hookspec
def cordboard_zeroconf_discovered(core: Core, service: ZeroconfService) -> DiscoveredPhone | None:
    """A zeroconf service was found (or changed) on the LAN. Called for every enabled plugin with
    each service of the types that plugins' manifests list under ``zeroconf`` (e.g.
    ``["_snom._tcp.local."]`` or ``[{"type": "_ipp._tcp.local."}]``): check ``service.type``.

    Return a ``DiscoveredPhone`` (MAC, vendor, model, address) to put a desk phone in the device
    list with source "zeroconf" (added as not provisioned when auto-add allows it), else None.
    Runs on the event loop: do not block.

    :param core: the running Core.
    :param service: type, instance name, addresses, port and TXT properties of the service.
    """
