"""Cordboard's built-in plugins: one feature per package, each loaded by the plugin manager."""

from __future__ import annotations
