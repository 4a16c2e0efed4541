"""SIP dialog state (RFC 3261 12): identifiers, route set, CSeq counters and in-dialog request building."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from cordboard.core.sip import headers as h
from cordboard.core.sip.headers import CSeq, Headers
from cordboard.core.sip.message import SipRequest, SipResponse
from cordboard.core.sip.status import ServerInternalError
from cordboard.core.sip.uri import NameAddr, SipUri, Uri

# Requests (and their 2xx) that replace the remote target (RFC 3261 12.2, RFC 3311, RFC 6665 4.1).
TARGET_REFRESH_METHODS: Final = frozenset({"INVITE", "UPDATE", "SUBSCRIBE", "NOTIFY"})
# Requests that carry the local Contact (target refresh requests, plus REFER, RFC 3515 2.4.1).
_CONTACT_METHODS: Final = TARGET_REFRESH_METHODS | {"REFER"}
DEFAULT_MAX_FORWARDS: Final = 70


class DialogState(enum.Enum):
    EARLY = "early"
    CONFIRMED = "confirmed"
    TERMINATED = "terminated"


class DialogId(NamedTuple):
    """Call-ID plus local and remote tags (RFC 3261 12): the key of a dialog on our side."""

    call_id: str
    local_tag: str
    remote_tag: str


def dialog_id_of(message: SipRequest | SipResponse, *, uas: bool) -> DialogId | None:
    """The dialog a message belongs to from our point of view, or None without both tags.

    ``uas`` is True when we are the UAS of the transaction (an incoming request, or a response we
    send): then the local tag is the To tag (RFC 3261 12.2.2); otherwise it is the From tag.
    """
    from_tag, to_tag = message.from_.tag, message.to.tag
    local, remote = (to_tag, from_tag) if uas else (from_tag, to_tag)
    if not local or not remote:
        return None
    return DialogId(message.call_id, local, remote)


def _first_contact(message: SipRequest | SipResponse) -> NameAddr | None:
    contacts = message.contacts
    return contacts[0] if contacts and contacts != "*" else None


def _copy_uri(uri: Uri) -> Uri:
    return uri.copy() if isinstance(uri, SipUri) else uri


@dataclass(eq=False)
class Dialog:
    """One dialog (RFC 3261 12.1); built with ``from_uas`` / ``from_uac``, then kept up to date."""

    call_id: str
    local_tag: str
    remote_tag: str
    local_uri: NameAddr
    """Our address (From of our requests), without tag."""
    remote_uri: NameAddr
    """The peer's address (To of our requests), without tag."""
    remote_target: Uri
    """Where in-dialog requests go: the peer's Contact (RFC 3261 12.1.1, 12.1.2)."""
    route_set: list[NameAddr] = field(default_factory=list)
    local_cseq: int | None = None
    remote_cseq: int | None = None
    secure: bool = False
    state: DialogState = DialogState.CONFIRMED
    local_target: NameAddr | None = None
    """Our Contact, sent in target refresh requests."""

    @property
    def dialog_id(self) -> DialogId:
        return DialogId(self.call_id, self.local_tag, self.remote_tag)

    @property
    def early(self) -> bool:
        return self.state is DialogState.EARLY

    @classmethod
    def from_uas(cls, request: SipRequest, response: SipResponse, *, secure: bool | None = None) -> Dialog:
        """The UAS side of a dialog created by ``response`` (1xx or 2xx with a To tag) to ``request``.

        RFC 3261 12.1.1: route set = Record-Route of the request in order; remote target =
        its Contact; remote CSeq = its CSeq; secure when the Request-URI is sips (or as given).
        """
        local_tag = response.to_tag
        if not local_tag:
            raise ValueError("A dialog-creating response needs a To tag")
        contact = _first_contact(request)
        return cls(
            call_id=request.call_id,
            local_tag=local_tag,
            remote_tag=request.from_tag or "",
            local_uri=request.to.without_tag(),
            remote_uri=request.from_.without_tag(),
            remote_target=contact.uri if contact is not None else request.from_.uri,
            route_set=list(request.record_routes),
            local_cseq=None,
            remote_cseq=request.cseq.seq,
            secure=_is_secure(request) if secure is None else secure,
            state=DialogState.EARLY if response.status < 200 else DialogState.CONFIRMED,
            local_target=_first_contact(response),
        )

    @classmethod
    def from_uac(cls, request: SipRequest, response: SipResponse, *, secure: bool | None = None) -> Dialog:
        """The UAC side of a dialog created by ``response`` to our ``request`` (RFC 3261 12.1.2).

        Route set = Record-Route of the response reversed; remote target = its Contact.
        """
        local_tag = request.from_tag
        if not local_tag:
            raise ValueError("Our request has no From tag")
        contact = _first_contact(response)
        return cls(
            call_id=request.call_id,
            local_tag=local_tag,
            remote_tag=response.to_tag or "",
            local_uri=request.from_.without_tag(),
            remote_uri=request.to.without_tag(),
            remote_target=contact.uri if contact is not None else _copy_uri(request.uri),
            route_set=list(reversed(response.record_routes)),
            local_cseq=request.cseq.seq,
            remote_cseq=None,
            secure=_is_secure(request) if secure is None else secure,
            state=DialogState.EARLY if response.status < 200 else DialogState.CONFIRMED,
            local_target=_first_contact(request),
        )

    # -- requests we send (RFC 3261 12.2.1) ---------------------------------------------------------
    def create_request(
        self,
        method: str,
        *,
        body: bytes = b"",
        content_type: str | None = None,
        extra_headers: Iterable[tuple[str, str]] = (),
    ) -> SipRequest:
        """A new in-dialog request with the next local CSeq; the caller adds the top Via.

        ACK for a 2xx is ``create_ack``; CANCEL is ``message.make_cancel`` of the pending request.
        """
        if method in ("ACK", "CANCEL"):
            raise ValueError(f"{method} is not built with create_request")
        if self.state is DialogState.TERMINATED:
            raise ValueError("The dialog is terminated")
        # RFC 3261 12.2.1.1: increment the local sequence number (pick one when empty).
        self.local_cseq = 1 if self.local_cseq is None else self.local_cseq + 1
        return self._build(method, self.local_cseq, body, content_type, extra_headers)

    def create_ack(
        self,
        response: SipResponse,
        *,
        body: bytes = b"",
        content_type: str | None = None,
        extra_headers: Iterable[tuple[str, str]] = (),
    ) -> SipRequest:
        """The ACK of a 2xx to INVITE: same CSeq number as the INVITE, routed like any request (13.2.2.4)."""
        cseq = response.cseq
        if cseq.method != "INVITE" or not 200 <= response.status < 300:
            raise ValueError("create_ack is for 2xx responses to INVITE")
        return self._build("ACK", cseq.seq, body, content_type, extra_headers)

    def _build(
        self,
        method: str,
        seq: int,
        body: bytes,
        content_type: str | None,
        extra_headers: Iterable[tuple[str, str]],
    ) -> SipRequest:
        uri, routes = self._route()
        headers = Headers()
        for route in routes:
            headers.add(h.ROUTE, route)
        headers.add(h.MAX_FORWARDS, str(DEFAULT_MAX_FORWARDS))
        headers.add(h.FROM, self.local_uri.with_tag(self.local_tag))
        to = self.remote_uri.with_tag(self.remote_tag) if self.remote_tag else self.remote_uri
        headers.add(h.TO, to)
        headers.add(h.CALL_ID, self.call_id)
        headers.add(h.CSEQ, CSeq(seq, method))
        if method in _CONTACT_METHODS and self.local_target is not None:
            headers.add(h.CONTACT, self.local_target)
        if content_type is not None:
            headers.add(h.CONTENT_TYPE, content_type)
        for name, value in extra_headers:
            headers.add(name, value)
        return SipRequest(method, uri, headers, body)

    def _route(self) -> tuple[Uri, list[NameAddr]]:
        """Request-URI and Route headers (RFC 3261 12.2.1.1)."""
        target = _copy_uri(self.remote_target)
        if not self.route_set:
            return target, []
        first = self.route_set[0]
        if isinstance(first.uri, SipUri) and first.uri.lr:
            return target, list(self.route_set)
        # Strict router: it becomes the Request-URI, the remote target goes last in Route.
        uri = _copy_uri(first.uri)
        if isinstance(uri, SipUri):
            uri.headers.clear()
            uri.params.pop("method", None)  # RFC 3261 19.1.1: not allowed in a Request-URI
        return uri, [*self.route_set[1:], NameAddr(target)]

    # -- messages we receive (RFC 3261 12.2.2, 12.2.1.2) ---------------------------------------------
    def receive_request(self, request: SipRequest) -> None:
        """Check and record an in-dialog request; raise ServerInternalError (500) if out of order."""
        if request.method in ("ACK", "CANCEL"):
            return  # they reuse the CSeq number of the request they belong to
        seq = request.cseq.seq
        if self.remote_cseq is not None and seq < self.remote_cseq:
            raise ServerInternalError("CSeq out of order")
        self.remote_cseq = seq
        if request.method in TARGET_REFRESH_METHODS:
            contact = _first_contact(request)
            if contact is not None:
                self.remote_target = contact.uri

    def receive_response(self, response: SipResponse) -> None:
        """Update the dialog from a response to one of our requests (RFC 3261 12.2.1.2, 13.2.2.4)."""
        status = response.status
        method = response.cseq.method
        contact = _first_contact(response)
        if self.state is DialogState.EARLY and method == "INVITE":
            if status >= 300:
                self.state = DialogState.TERMINATED  # RFC 3261 12.3
                return
            if contact is not None:
                self.remote_target = contact.uri
            if status >= 200:
                self.state = DialogState.CONFIRMED
                self.route_set = list(reversed(response.record_routes))
            return
        if status in (408, 481):
            self.state = DialogState.TERMINATED  # RFC 3261 12.2.1.2
            return
        if 200 <= status < 300 and method in TARGET_REFRESH_METHODS and contact is not None:
            self.remote_target = contact.uri

    def terminate(self) -> None:
        self.state = DialogState.TERMINATED


def _is_secure(request: SipRequest) -> bool:
    return isinstance(request.uri, SipUri) and request.uri.scheme == "sips"
