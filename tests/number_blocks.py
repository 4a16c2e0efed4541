"""Number ranges for test users (NUM-01: a user's number must lie in a range): a fresh data folder
has 1000-1999; a test that gives users 2001 or 3002 gets that thousand as a range of its own."""

from __future__ import annotations


def block_for(extension: str | None) -> tuple[str, str] | None:
    """The range ``extension`` needs besides the default 1000-1999 (None: it needs none)."""
    if not extension or not extension.isdigit():
        return None
    if len(extension) == 4 and "1000" <= extension <= "1999":
        return None
    if len(extension) < 3:
        return extension, extension
    head = extension[:-3]
    return f"{head}000", f"{head}999"
