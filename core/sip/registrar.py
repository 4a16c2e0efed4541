"""The registrar (RFC 3261 10.3): turns an authenticated REGISTER into binding changes and a response."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Final

from cordboard.core.sip.accounts import SipAccount
from cordboard.core.sip.errors import SipParseError
from cordboard.core.sip.location import Binding, ContactUpdate, LocationService, OutOfOrderRegister
from cordboard.core.sip.message import SipRequest, SipResponse, make_response
from cordboard.core.sip.peer import Peer
from cordboard.core.sip.uri import SipUri

DEFAULT_MIN_EXPIRES: Final = 60
DEFAULT_MAX_EXPIRES: Final = 3600


@dataclass(slots=True)
class RegisterResult:
    response: SipResponse
    changed: list[Binding] = field(default_factory=list)
    removed: list[Binding] = field(default_factory=list)


class Registrar:
    """Validates a REGISTER's contacts and expiries and applies them to the location service."""

    def __init__(
        self,
        location: LocationService,
        *,
        min_expires: int = DEFAULT_MIN_EXPIRES,
        max_expires: int = DEFAULT_MAX_EXPIRES,
    ) -> None:
        self.location = location
        self.min_expires = min_expires
        self.max_expires = max_expires

    def handle(self, request: SipRequest, account: SipAccount, peer: Peer, now: float) -> RegisterResult:
        to_uri = request.to.uri
        aor_user = to_uri.user if isinstance(to_uri, SipUri) else None
        if aor_user is None or aor_user.lower() not in {account.username.lower(), account.extension or ""}:
            return RegisterResult(make_response(request, 403, "Forbidden - Address Of Record Is Not Yours"))
        try:
            header_expires = request.expires
        except SipParseError:
            return RegisterResult(make_response(request, 400, "Bad Request - Invalid Expires"))
        contacts = request.contacts
        if contacts == "*":
            if header_expires != 0:
                return RegisterResult(make_response(request, 400, "Bad Request - Contact * Needs Expires 0"))
            removed = self.location.remove_all(account.user_id)
            return RegisterResult(self._ok(request, account, now), removed=removed)
        updates: list[ContactUpdate] = []
        for contact in contacts:
            raw_expires = contact.params.get("expires")
            if "expires" in contact.params and not (
                raw_expires is not None and raw_expires.isascii() and raw_expires.isdigit()
            ):  # delta-seconds is 1*DIGIT (RFC 3261 20.10): no sign, no empty value
                return RegisterResult(make_response(request, 400, "Bad Request - Invalid Contact expires"))
            if raw_expires is not None:
                digits = raw_expires.lstrip("0") or "0"  # int() refuses thousands of digits
                expires: int | None = int(digits) if len(digits) <= 10 else self.max_expires
            else:
                expires = header_expires
            if expires is None:
                expires = self.max_expires
            if 0 < expires < self.min_expires:
                response = make_response(request, 423, "Interval Too Brief")
                response.headers.set("Min-Expires", str(self.min_expires))
                return RegisterResult(response)
            instance = (contact.params.get("+sip.instance") or "").strip('"<>')
            updates.append(ContactUpdate(str(contact.uri), min(expires, self.max_expires), instance))
        if not updates:  # a query (RFC 3261 10.2.3): answer with the current bindings
            return RegisterResult(self._ok(request, account, now))
        if not all(_is_utf8(u.contact) and _is_utf8(u.instance_id) for u in updates) or not _is_utf8(
            request.call_id
        ):  # octets that are not UTF-8 (kept as surrogates by the parser) cannot be stored
            return RegisterResult(make_response(request, 400, "Bad Request - Contact Or Call-ID Not UTF-8"))
        cseq = request.cseq
        try:
            changed, removed = self.location.update(
                account.user_id,
                updates,
                call_id=request.call_id,
                cseq=cseq.seq,
                now=now,
                transport=peer.transport,
                source_host=peer.host,
                source_port=peer.port,
                user_agent=(request.headers.get("User-Agent") or "")
                .encode("utf-8", "surrogateescape")
                .decode("utf-8", "replace"),  # e.g. a Latin-1 product name
            )
        except OutOfOrderRegister:
            return RegisterResult(
                make_response(request, 500, "Server Internal Error - REGISTER Out Of Order")
            )
        return RegisterResult(self._ok(request, account, now), changed, removed)

    def _ok(self, request: SipRequest, account: SipAccount, now: float) -> SipResponse:
        response = make_response(request, 200)
        response.headers.set(
            "Date", formatdate(now, usegmt=True)
        )  # RFC 3261 10.3 step 8; phones set clocks by it
        for binding in self.location.bindings(account.user_id, now):
            response.headers.add("Contact", f"<{binding.contact}>;expires={binding.remaining(now)}")
        return response


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
