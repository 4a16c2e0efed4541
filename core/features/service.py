"""The feature-code registry (FC-15..17): the core's codes and the plugins' (hook
``cordboard_feature_codes``) with the admin's digits for each, refusing clashes, and the channel
handler that runs a dialled code."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.features import storage
from cordboard.core.features.grammar import MalformedCode, looks_like_code, parse, valid_digits
from cordboard.core.features.model import (
    PROMPT_UNKNOWN,
    ActiveCode,
    FeatureCode,
    FeatureRefused,
    FeatureRequest,
)

if TYPE_CHECKING:
    from cordboard.core.calls.channel import Channel, ChannelHandler
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)
CORE_SOURCE = "core"


class FeatureCodeService:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._overrides: dict[str, str] = {}
        self._codes: dict[str, ActiveCode] = {}
        """By key."""
        self._by_digits: dict[str, ActiveCode] = {}
        self._unlisten: list[Callable[[], None]] = []

    async def start(self) -> None:
        from cordboard.core.plugin_manager import EVENT_PLUGIN_LOADED, EVENT_PLUGIN_UNLOADED

        await self._core.db.call(storage.ensure_schema)
        self._overrides = await self._core.db.call(storage.load)
        self.refresh()
        for event in (EVENT_PLUGIN_LOADED, EVENT_PLUGIN_UNLOADED):
            self._unlisten.append(self._core.bus.listen(event, lambda _e: self.refresh()))

    def stop(self) -> None:
        for unlisten in self._unlisten:
            unlisten()
        self._unlisten.clear()

    # -- the registry -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Collect the core's and the enabled plugins' codes again; a code whose digits another
        already answers to is dropped with an error in the log (the first registered keeps them)."""
        from cordboard.core.features.core_codes import core_codes

        found: list[tuple[str, FeatureCode]] = [(CORE_SOURCE, code) for code in core_codes()]
        found += self._plugin_codes()
        codes: dict[str, ActiveCode] = {}
        by_digits: dict[str, ActiveCode] = {}
        for source, code in found:
            digits = self._overrides.get(code.key, code.default)
            clash = self._clash(code, digits, by_digits.values())
            if code.key in codes or clash is not None:
                _LOGGER.error(
                    "Feature code %s (%s) of %s is not registered: %s",
                    code.key,
                    digits,
                    source,
                    "its key is taken" if code.key in codes else clash,
                )
                continue
            active = ActiveCode(code, digits, source)
            codes[code.key] = by_digits[digits] = active
        self._codes, self._by_digits = codes, by_digits

    def _plugin_codes(self) -> list[tuple[str, FeatureCode]]:
        plugins = getattr(self._core, "plugins", None)
        if plugins is None:
            return []
        answers = plugins.answers("cordboard_feature_codes", "listing its feature codes", core=self._core)
        return [
            (domain, code)
            for domain, result in answers
            for code in result or []
            if isinstance(code, FeatureCode)
        ]

    def codes(self) -> list[ActiveCode]:
        return sorted(self._codes.values(), key=lambda c: (len(c.digits), c.digits))

    def get(self, key: str) -> ActiveCode:
        active = self._codes.get(key)
        if active is None:
            raise NotFound(f"No feature code has the key {key!r}")
        return active

    @staticmethod
    def _clash(code: FeatureCode, digits: str, others: Iterable[ActiveCode]) -> str | None:
        """Why ``digits`` cannot be ``code``'s: another code has them, or one starts like the other
        and either has no fields (``*2`` would be complete before ``*21*NUMBER*`` is; codes with
        fields end at their ``*`` separator, so ``*1*EXT*`` and ``*11*ID*`` live together)."""
        for other in others:
            if other.digits == digits:
                return f"it is the code of {other.code.label} ({other.code.feature})"
            ambiguous = not code.on_fields or not other.code.on_fields
            if ambiguous and (other.digits.startswith(digits) or digits.startswith(other.digits)):
                return f"it and the code of {other.code.label} ({other.digits}) start alike"
        return None

    async def set_code(self, key: str, digits: str | None) -> ActiveCode:
        """The admin's digits for a code (None: back to its default). Refused, naming the field
        ``code``, when they are not 1 to 6 digits, start like another code or are a number's."""
        active = self.get(key)
        wanted = active.code.default if digits is None else digits.strip().lstrip("*#").rstrip("*#")
        if not valid_digits(wanted):
            raise ConfigValidationError("The feature code is invalid", {"code": "use 1 to 6 digits, as 21"})
        others = [c for c in self._codes.values() if c.code.key != key]
        clash = self._clash(active.code, wanted, others) or await self._number_clash(wanted)
        if clash is not None:
            raise ConfigValidationError(f"*{wanted} cannot be used", {"code": clash})
        stored = None if wanted == active.code.default else wanted
        await self._core.db.call(lambda db: storage.save(db, key, stored))
        if stored is None:
            self._overrides.pop(key, None)
        else:
            self._overrides[key] = stored
        self.refresh()
        _LOGGER.info("Feature code %s is now %s", key, wanted)
        return self.get(key)

    async def _number_clash(self, digits: str) -> str | None:
        """A number in the registry that a phone would dial the same way (``*43``, an echo test)."""
        for number, owner in (await self._core.numbers.owners()).items():
            if not looks_like_code(number):
                continue
            try:
                other = parse(number).code
            except MalformedCode:
                continue
            if other.startswith(digits) or digits.startswith(other):
                return f"{number} is a number of {owner.describe()}"
        return None

    # -- dialled codes ------------------------------------------------------------------------
    def transfer_handler(self, dialled: str) -> ChannelHandler | None:
        """The handler of a code that a call may be transferred to (``*1*EXT*``), else None."""
        if not looks_like_code(dialled):
            return None
        try:
            parsed = parse(dialled)
        except MalformedCode:
            return None
        active = self._by_digits.get(parsed.code)
        if active is None or not active.code.transfer_target:
            return None
        return self.handler_for(dialled)

    def handler_for(self, dialled: str) -> ChannelHandler | None:
        """The channel handler for a dialled code, or None when ``dialled`` is not one. Unknown
        codes, missing fields and the off form of a code that has none get the error announcement."""
        if not looks_like_code(dialled):
            return None
        try:
            parsed = parse(dialled)
        except MalformedCode as err:
            return self._error(dialled, str(err))
        active = self._by_digits.get(parsed.code)
        if active is None:
            return self._error(dialled, f"no feature code {parsed.code}")
        names = active.code.fields_for(parsed.on)
        if names is None:
            return self._error(
                dialled, f"{active.code.label} cannot be turned {'on' if parsed.on else 'off'}"
            )
        if len(names) != len(parsed.fields):
            wanted = active.code.forms(active.digits)["on" if parsed.on else "off"]
            return self._error(dialled, f"{active.code.label} is dialled as {wanted}")
        fields = dict(zip(names, parsed.fields, strict=True))

        async def run(channel: Channel) -> None:
            await self._run(channel, active.code, parsed.on, fields, dialled)

        return run

    def _error(self, dialled: str, reason: str) -> ChannelHandler:
        async def refuse(channel: Channel) -> None:
            _LOGGER.info("%s dialled %s: %s", channel.call.caller, dialled, reason)
            await self._refuse(channel, PROMPT_UNKNOWN)

        return refuse

    async def _run(
        self, channel: Channel, code: FeatureCode, on: bool, fields: dict[str, str], dialled: str
    ) -> None:
        user_id = channel.call.caller_user_id
        if user_id is None and not code.transfer_target:
            await self._refuse(channel, PROMPT_UNKNOWN)
            return
        request = FeatureRequest(self._core, channel, user_id or 0, on, fields, code)
        try:
            prompts = await code.handler(request)
        except FeatureRefused as err:
            _LOGGER.info(
                "%s dialled %s (%s): refused, %s", channel.call.caller, dialled, code.key, err.reason
            )
            await self._refuse(channel, err.prompt)
            return
        except ConfigValidationError as err:
            _LOGGER.info("%s dialled %s (%s): refused, %s", channel.call.caller, dialled, code.key, err)
            await self._refuse(channel, "invalid_option")
            return
        _LOGGER.info("%s dialled %s (%s)", channel.call.caller, dialled, code.key)
        if prompts is None:
            return
        await channel.answer()
        await channel.play([*prompts, "goodbye"])
        await channel.hangup()

    @staticmethod
    async def _refuse(channel: Channel, prompt: str) -> None:
        """The error announcement (FC-17), once the channel is answered so that the caller hears it."""
        await channel.answer()
        await channel.play([prompt, "goodbye"])
        await channel.hangup()
