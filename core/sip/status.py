"""SIP status codes: reason phrases and the SipStatusError tree a handler raises to send a final response."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar, Final

from cordboard.core.random_tokens import token_hex
from cordboard.core.sip import headers as h

if TYPE_CHECKING:
    from cordboard.core.sip.message import SipRequest, SipResponse

# RFC 3261 21 plus the extension codes in the IANA "Response Codes" registry that a PBX meets.
REASON_PHRASES: Final[dict[int, str]] = {
    100: "Trying",
    180: "Ringing",
    181: "Call Is Being Forwarded",
    182: "Queued",
    183: "Session Progress",
    199: "Early Dialog Terminated",
    200: "OK",
    202: "Accepted",
    204: "No Notification",
    300: "Multiple Choices",
    301: "Moved Permanently",
    302: "Moved Temporarily",
    305: "Use Proxy",
    380: "Alternative Service",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    410: "Gone",
    412: "Conditional Request Failed",
    413: "Request Entity Too Large",
    414: "Request-URI Too Long",
    415: "Unsupported Media Type",
    416: "Unsupported URI Scheme",
    420: "Bad Extension",
    421: "Extension Required",
    422: "Session Interval Too Small",
    423: "Interval Too Brief",
    428: "Use Identity Header",
    429: "Provide Referrer Identity",
    430: "Flow Failed",
    433: "Anonymity Disallowed",
    439: "First Hop Lacks Outbound Support",
    480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist",
    482: "Loop Detected",
    483: "Too Many Hops",
    484: "Address Incomplete",
    485: "Ambiguous",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    489: "Bad Event",
    491: "Request Pending",
    493: "Undecipherable",
    494: "Security Agreement Required",
    500: "Server Internal Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Server Time-out",
    505: "Version Not Supported",
    513: "Message Too Large",
    580: "Precondition Failure",
    600: "Busy Everywhere",
    603: "Decline",
    604: "Does Not Exist Anywhere",
    606: "Not Acceptable",
}


def reason_phrase(status: int) -> str:
    """The standard reason phrase, or the class name (RFC 3261 21: unknown codes act as x00)."""
    return REASON_PHRASES.get(status) or REASON_PHRASES.get(status // 100 * 100, "Unknown")


class SipStatusError(Exception):
    """A request cannot be served; ``to_response`` builds the final response to send.

    ``detail`` is appended to the reason phrase ("Bad Request - Missing Call-ID"); ``headers`` are
    added to the response (Min-Expires, Unsupported, Allow, WWW-Authenticate, Retry-After, ...).
    """

    status_code: ClassVar[int] = 500
    reason: str = "Server Internal Error"
    headers: tuple[tuple[str, str], ...] = ()

    def __init__(
        self,
        detail: str | None = None,
        *,
        reason: str | None = None,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.detail = detail
        if reason is not None:
            self.reason = reason
        elif detail:
            self.reason = f"{type(self).reason} - {' '.join(detail.split())}"
        self.headers = (*type(self).headers, *headers)
        super().__init__(f"{self.status_code} {self.reason}")

    def to_response(self, request: SipRequest, *, to_tag: str | None = None) -> SipResponse:
        """The response for ``request`` (RFC 3261 8.2.6); a To tag is generated unless given or present."""
        from cordboard.core.sip.message import make_response

        if to_tag is None and self.status_code != 100:
            to_tag = token_hex(6)
        response = make_response(request, self.status_code, self.reason, to_tag=to_tag)
        for name, value in self.headers:
            response.headers.add(name, value)
        return response


class BadRequest(SipStatusError):
    status_code = 400
    reason = "Bad Request"


class Unauthorized(SipStatusError):
    status_code = 401
    reason = "Unauthorized"


class Forbidden(SipStatusError):
    status_code = 403
    reason = "Forbidden"


class NotFound(SipStatusError):
    status_code = 404
    reason = "Not Found"


class MethodNotAllowed(SipStatusError):
    """405; RFC 3261 8.2.1 requires an Allow header listing the supported methods."""

    status_code = 405
    reason = "Method Not Allowed"

    def __init__(self, allow: Iterable[str], detail: str | None = None) -> None:
        super().__init__(detail, headers=[(h.ALLOW, ", ".join(allow))])


class NotAcceptable(SipStatusError):
    status_code = 406
    reason = "Not Acceptable"


class ProxyAuthenticationRequired(SipStatusError):
    status_code = 407
    reason = "Proxy Authentication Required"


class RequestTimeout(SipStatusError):
    status_code = 408
    reason = "Request Timeout"


class Gone(SipStatusError):
    status_code = 410
    reason = "Gone"


class RequestEntityTooLarge(SipStatusError):
    status_code = 413
    reason = "Request Entity Too Large"


class RequestUriTooLong(SipStatusError):
    status_code = 414
    reason = "Request-URI Too Long"


class UnsupportedMediaType(SipStatusError):
    status_code = 415
    reason = "Unsupported Media Type"


class UnsupportedUriScheme(SipStatusError):
    status_code = 416
    reason = "Unsupported URI Scheme"


class BadExtension(SipStatusError):
    """420; RFC 3261 8.2.2.3 lists the unknown option tags in Unsupported."""

    status_code = 420
    reason = "Bad Extension"

    def __init__(self, unsupported: Iterable[str], detail: str | None = None) -> None:
        self.unsupported = list(unsupported)
        super().__init__(detail, headers=[(h.UNSUPPORTED, ", ".join(self.unsupported))])


class ExtensionRequired(SipStatusError):
    status_code = 421
    reason = "Extension Required"


class SessionIntervalTooSmall(SipStatusError):
    """422 (RFC 4028 6) with the Min-SE the server accepts."""

    status_code = 422
    reason = "Session Interval Too Small"

    def __init__(self, min_se: int, detail: str | None = None) -> None:
        super().__init__(detail, headers=[(h.MIN_SE, str(min_se))])


class IntervalTooBrief(SipStatusError):
    """423 with Min-Expires (RFC 3261 10.3 step 7)."""

    status_code = 423
    reason = "Interval Too Brief"

    def __init__(self, min_expires: int, detail: str | None = None) -> None:
        self.min_expires = min_expires
        super().__init__(detail, headers=[(h.MIN_EXPIRES, str(min_expires))])


class TemporarilyUnavailable(SipStatusError):
    status_code = 480
    reason = "Temporarily Unavailable"


class CallTransactionDoesNotExist(SipStatusError):
    status_code = 481
    reason = "Call/Transaction Does Not Exist"


class LoopDetected(SipStatusError):
    status_code = 482
    reason = "Loop Detected"


class TooManyHops(SipStatusError):
    status_code = 483
    reason = "Too Many Hops"


class AddressIncomplete(SipStatusError):
    status_code = 484
    reason = "Address Incomplete"


class Ambiguous(SipStatusError):
    status_code = 485
    reason = "Ambiguous"


class BusyHere(SipStatusError):
    status_code = 486
    reason = "Busy Here"


class RequestTerminated(SipStatusError):
    status_code = 487
    reason = "Request Terminated"


class NotAcceptableHere(SipStatusError):
    status_code = 488
    reason = "Not Acceptable Here"


class BadEvent(SipStatusError):
    status_code = 489
    reason = "Bad Event"


class RequestPending(SipStatusError):
    status_code = 491
    reason = "Request Pending"


class ServerInternalError(SipStatusError):
    status_code = 500
    reason = "Server Internal Error"


class NotImplemented_(SipStatusError):
    """501; the trailing underscore avoids the ``NotImplemented`` builtin."""

    status_code = 501
    reason = "Not Implemented"


class BadGateway(SipStatusError):
    status_code = 502
    reason = "Bad Gateway"


class ServiceUnavailable(SipStatusError):
    status_code = 503
    reason = "Service Unavailable"


class ServerTimeout(SipStatusError):
    status_code = 504
    reason = "Server Time-out"


class VersionNotSupported(SipStatusError):
    status_code = 505
    reason = "Version Not Supported"


class MessageTooLarge(SipStatusError):
    status_code = 513
    reason = "Message Too Large"


class BusyEverywhere(SipStatusError):
    status_code = 600
    reason = "Busy Everywhere"


class Decline(SipStatusError):
    status_code = 603
    reason = "Decline"


class DoesNotExistAnywhere(SipStatusError):
    status_code = 604
    reason = "Does Not Exist Anywhere"


def _all_subclasses(cls: type[SipStatusError]) -> list[type[SipStatusError]]:
    found: list[type[SipStatusError]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


STATUS_ERRORS: Final[dict[int, type[SipStatusError]]] = {
    cls.status_code: cls for cls in _all_subclasses(SipStatusError)
}
"""Status code -> the exception class for it (those with required arguments included)."""
