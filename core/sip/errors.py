"""SIP layer errors that are not status codes: malformed wire data and transaction misuse."""

from __future__ import annotations


class SipParseError(ValueError):
    """Bytes or text that are not valid SIP; the message says what is wrong and where."""


class TransactionError(RuntimeError):
    """The transaction layer was asked for something impossible (unknown key, response after final)."""
