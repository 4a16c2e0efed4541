"""The feature-code grammar of FC-17, sans-IO: what a dialled string says.

A code starts with ``*`` to turn something on, or with ``#`` or ``**`` to turn it off; its fields are
separated by ``*`` (``#`` too, for the ``#21#`` off form) and a final ``*`` or ``#`` ends it, so that
a phone's dial plan knows the code is complete without a timeout::

    *21*88887777*   on,  code 21, fields ("88887777",)
    #21#*  #21#     off, code 21
    **11*1500*      off, code 11, fields ("1500",)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

PREFIXES: Final = ("*", "#")
_CODE: Final = re.compile(r"[0-9]{1,6}")
_FIELD: Final = re.compile(r"\+?[0-9]{1,32}")
_SEPARATORS: Final = re.compile(r"[*#]")


class MalformedCode(ValueError):
    """The dialled string starts like a code but is not one (``*``, ``*2a*``, ``*21**5*``)."""


@dataclass(frozen=True, slots=True)
class DialledCode:
    on: bool
    """``*``: turn on (or use) the feature; ``#`` or ``**``: turn it off."""
    code: str
    """The code's digits (``21``)."""
    fields: tuple[str, ...]


def looks_like_code(dialled: str) -> bool:
    return dialled.startswith(PREFIXES)


def parse(dialled: str) -> DialledCode:
    """The code in ``dialled``; MalformedCode when it is not one (callers check ``looks_like_code``)."""
    if dialled.startswith("**"):
        on, rest = False, dialled[2:]
    elif dialled.startswith("*"):
        on, rest = True, dialled[1:]
    elif dialled.startswith("#"):
        on, rest = False, dialled[1:]
    else:
        raise MalformedCode(f"{dialled!r} does not start with * or #")
    parts = _SEPARATORS.split(rest.rstrip("*#"))
    code, fields = parts[0], parts[1:]
    if not _CODE.fullmatch(code):
        raise MalformedCode(f"{dialled!r}: a code is 1 to 6 digits after the * or #")
    for value in fields:
        if not _FIELD.fullmatch(value):
            raise MalformedCode(f"{dialled!r}: every field is a number (empty or other characters found)")
    return DialledCode(on, code, tuple(fields))


def valid_digits(code: str) -> bool:
    """Whether ``code`` can be a code's digits (1 to 6 digits)."""
    return _CODE.fullmatch(code) is not None
