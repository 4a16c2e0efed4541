"""SIP: messages, transactions, dialogs, SDP and digest authentication."""

from __future__ import annotations
