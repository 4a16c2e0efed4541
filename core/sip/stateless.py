"""A 400 for a request too broken to parse, built from its raw header lines when they allow it."""

from __future__ import annotations

from typing import Final

from cordboard.core.sip.headers import canonical_name

_NEEDED: Final = ("Via", "From", "To", "Call-ID", "CSeq")
_MAX_REASON: Final = 120


def stateless_error_response(data: bytes, reason: str) -> bytes | None:
    """The bytes of ``SIP/2.0 400 <reason>`` for a request, or None when it cannot be addressed.

    Responses and ACKs are never answered (RFC 3261: an ACK gets no response); a request
    must at least carry the five headers a response copies (RFC 3261 8.2.6.2), else it is dropped.
    """
    head = data.lstrip(b"\r\n").split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"\n")
    lines = head.decode("utf-8", "replace").split("\n")
    if not lines or lines[0].startswith("SIP/") or lines[0].split(" ", 1)[0].upper() == "ACK":
        return None
    found: dict[str, list[str]] = {}
    for line in lines[1:]:
        if not line or line[0] in " \t" or ":" not in line:
            continue
        name, value = line.split(":", 1)
        if not all(c.isprintable() or c == "\t" for c in value):
            continue  # a lone CR or NUL would split or truncate the response: not copied
        try:
            canonical = canonical_name(name.strip())
        except (ValueError, KeyError):
            continue
        if canonical in _NEEDED:
            found.setdefault(canonical, []).append(value.strip())
    if any(name not in found for name in _NEEDED):
        return None
    safe_reason = "".join(c if c.isprintable() else " " for c in reason)[:_MAX_REASON]
    out = [f"SIP/2.0 400 {safe_reason}"]
    out.extend(f"{name}: {value}" for name in _NEEDED for value in found[name])
    out.extend(["Server: Cordboard", "Content-Length: 0", "", ""])
    return "\r\n".join(out).encode()
