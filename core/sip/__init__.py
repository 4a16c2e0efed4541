"""SIP: messages, transactions, dialogs, SDP and digest authentication."""

from __future__ import annotations

# Explicit re-exports, one block kept sorted by ruff; each module adds its public names.
from cordboard.core.sip.auth import AuthResult as AuthResult
from cordboard.core.sip.auth import DigestChallenge as DigestChallenge
from cordboard.core.sip.auth import DigestCredentials as DigestCredentials
from cordboard.core.sip.auth import DigestParseError as DigestParseError
from cordboard.core.sip.auth import DigestVerifier as DigestVerifier
from cordboard.core.sip.auth import NonceManager as NonceManager
from cordboard.core.sip.auth import authorization_for as authorization_for
from cordboard.core.sip.auth import challenge_headers as challenge_headers
from cordboard.core.sip.dialog import Dialog as Dialog
from cordboard.core.sip.dialog import DialogId as DialogId
from cordboard.core.sip.dialog import DialogState as DialogState
from cordboard.core.sip.dialog import dialog_id_of as dialog_id_of
from cordboard.core.sip.errors import SipParseError as SipParseError
from cordboard.core.sip.errors import TransactionError as TransactionError
from cordboard.core.sip.events import AckReceived as AckReceived
from cordboard.core.sip.events import RequestReceived as RequestReceived
from cordboard.core.sip.events import ResponseReceived as ResponseReceived
from cordboard.core.sip.events import StrayResponse as StrayResponse
from cordboard.core.sip.events import TransactionEvent as TransactionEvent
from cordboard.core.sip.events import TransactionKey as TransactionKey
from cordboard.core.sip.events import TransactionTerminated as TransactionTerminated
from cordboard.core.sip.events import TransactionTimedOut as TransactionTimedOut
from cordboard.core.sip.headers import CSeq as CSeq
from cordboard.core.sip.headers import Headers as Headers
from cordboard.core.sip.headers import Via as Via
from cordboard.core.sip.message import SipRequest as SipRequest
from cordboard.core.sip.message import SipResponse as SipResponse
from cordboard.core.sip.message import StreamFramer as StreamFramer
from cordboard.core.sip.message import make_cancel as make_cancel
from cordboard.core.sip.message import make_response as make_response
from cordboard.core.sip.message import parse_message as parse_message
from cordboard.core.sip.message import validate_request as validate_request
from cordboard.core.sip.message import validate_response as validate_response
from cordboard.core.sip.peer import Peer as Peer
from cordboard.core.sip.sdp import Codec as Codec
from cordboard.core.sip.sdp import MediaDescription as MediaDescription
from cordboard.core.sip.sdp import SdpParseError as SdpParseError
from cordboard.core.sip.sdp import SessionDescription as SessionDescription
from cordboard.core.sip.sdp import negotiate_answer as negotiate_answer
from cordboard.core.sip.sdp import parse_sdp as parse_sdp
from cordboard.core.sip.status import SipStatusError as SipStatusError
from cordboard.core.sip.transaction import TimerConfig as TimerConfig
from cordboard.core.sip.transaction import TransactionLayer as TransactionLayer
from cordboard.core.sip.transaction import TransactionState as TransactionState
from cordboard.core.sip.transaction import new_branch as new_branch
from cordboard.core.sip.uri import AbsoluteUri as AbsoluteUri
from cordboard.core.sip.uri import NameAddr as NameAddr
from cordboard.core.sip.uri import SipUri as SipUri
from cordboard.core.sip.uri import TelUri as TelUri
from cordboard.core.sip.uri import parse_uri as parse_uri
