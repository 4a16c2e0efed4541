"""SIP: messages, transactions, dialogs, SDP and digest authentication."""

from __future__ import annotations

# Digest authentication and SDP (explicit re-exports; other modules add theirs below).
from cordboard.core.sip.auth import AuthResult as AuthResult
from cordboard.core.sip.auth import DigestChallenge as DigestChallenge
from cordboard.core.sip.auth import DigestCredentials as DigestCredentials
from cordboard.core.sip.auth import DigestParseError as DigestParseError
from cordboard.core.sip.auth import DigestVerifier as DigestVerifier
from cordboard.core.sip.auth import NonceManager as NonceManager
from cordboard.core.sip.auth import authorization_for as authorization_for
from cordboard.core.sip.auth import challenge_headers as challenge_headers
from cordboard.core.sip.sdp import Codec as Codec
from cordboard.core.sip.sdp import MediaDescription as MediaDescription
from cordboard.core.sip.sdp import SdpParseError as SdpParseError
from cordboard.core.sip.sdp import SessionDescription as SessionDescription
from cordboard.core.sip.sdp import negotiate_answer as negotiate_answer
from cordboard.core.sip.sdp import parse_sdp as parse_sdp
