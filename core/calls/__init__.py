"""Calls: the B2BUA joining two SIP dialogs with a media relay, and the call history it writes."""

from __future__ import annotations
