"""Events the sans-IO transaction layer emits (RFC 3261 17), and the transaction key they carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from cordboard.core.sip.message import SipRequest, SipResponse
from cordboard.core.sip.peer import Peer


class TransactionKey(NamedTuple):
    """Identifies one transaction (RFC 3261 17.1.3 / 17.2.3).

    ``role`` is "client" or "server"; ``method`` is the CSeq method, with ACK mapped to INVITE;
    ``sent_by`` is the top Via sent-by for server transactions ("" for client ones). Requests
    without the z9hG4bK magic cookie get a ``branch`` built from the RFC 2543 matching fields.
    """

    role: str
    branch: str
    sent_by: str
    method: str

    @property
    def is_client(self) -> bool:
        return self.role == "client"


class TransactionEvent:
    """Base class of every transaction layer event."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class RequestReceived(TransactionEvent):
    """A request created a new server transaction; answer it with ``send_response(key, ...)``."""

    key: TransactionKey
    request: SipRequest
    peer: Peer
    cancels: TransactionKey | None = None
    """For CANCEL: the INVITE server transaction it targets (RFC 3261 9.2), or None if unknown."""


@dataclass(frozen=True, slots=True)
class AckReceived(TransactionEvent):
    """An ACK matching no transaction: the ACK of a 2xx, for the dialog layer (RFC 3261 17.2.3, 13.3.1.4)."""

    request: SipRequest
    peer: Peer


@dataclass(frozen=True, slots=True)
class ResponseReceived(TransactionEvent):
    """A response for client transaction ``key`` (retransmissions absorbed, except 2xx to INVITE)."""

    key: TransactionKey
    response: SipResponse


@dataclass(frozen=True, slots=True)
class TransactionTimedOut(TransactionEvent):
    """Timer B, F or H fired: no final response (client) or no ACK (INVITE server)."""

    key: TransactionKey


@dataclass(frozen=True, slots=True)
class TransactionTerminated(TransactionEvent):
    """The transaction reached the Terminated state and was forgotten."""

    key: TransactionKey


@dataclass(frozen=True, slots=True)
class StrayResponse(TransactionEvent):
    """A response matching no client transaction (RFC 3261 18.1.2); dropped and counted."""

    response: SipResponse
