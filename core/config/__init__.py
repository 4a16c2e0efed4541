"""Config: the bootstrap file, the ``cv`` validators and the scoped settings service."""

from __future__ import annotations
