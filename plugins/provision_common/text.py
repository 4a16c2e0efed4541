"""Escaping of user-provided values: XML documents and single-line ``key = value`` formats."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Final

# XML 1.0 allows tab, LF and CR among the C0 controls; a name must not carry even those into a
# single-line setting, so every control character becomes a space.
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff]")
_XML_FORBIDDEN: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def one_line(value: str) -> str:
    """``value`` for a line-based format (``key = value``, ``key: value``): line breaks and
    other control characters become spaces, so a value can never start a setting of its own."""
    return _CONTROL.sub(" ", value).strip()


def xml_text(value: str) -> str:
    """``value`` with the characters XML 1.0 cannot carry at all removed; the XML serializer
    escapes ``&``, ``<``, ``>`` and quotes. Values of elements are also kept on one line."""
    return _XML_FORBIDDEN.sub("", one_line(value))


def xml_document(root: ET.Element, *, indent: str = "  ") -> bytes:
    """``root`` as a UTF-8 document with a double-quoted declaration (some phones' parsers want
    exactly that), indented so that golden files diff line by line."""
    ET.indent(root, space=indent)
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()
