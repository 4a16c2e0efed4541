"""The SIP engine's sans-IO modules compiled to C by mypyc, and which copy of them runs.

Every SIP message goes through these modules (parse, validate, transactions, dialogs, digest
auth, SDP), so compiling them takes about a tenth off the server's CPU per call. They are plain
Python all the same: without a build, or with ``CORDBOARD_NATIVE=0`` in the environment, the
sources run as they are.

- A wheel (the appliance image's, ``CORDBOARD_NATIVE=1 pip wheel .``) carries the compiled
  modules next to their sources, where Python's import system prefers them.
- A source checkout (``make run``, ``make test``) builds them into ``build/native/``
  (``make native``). They are used only while every compiled module's source is unchanged since
  that build, so an edited module never runs as its stale compiled copy.

Only modules whose imports are the standard library and each other belong here: mypyc checks
every declared type at run time, and third-party stubs that are not exact (an event loop's
``remove_reader`` said to return ``bool``) would turn into run-time errors.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Final

COMPILED_MODULES: Final = (
    "cordboard.core.sip.uri",
    "cordboard.core.sip.headers",
    "cordboard.core.sip.message",
    "cordboard.core.sip.sdp",
    "cordboard.core.sip.auth",
    "cordboard.core.sip.dialog",
    "cordboard.core.sip.transaction",
    "cordboard.core.sip.flood",
    "cordboard.core.sip.stateless",
    "cordboard.core.sip.location",
    "cordboard.core.sip.peer",
    "cordboard.core.random_tokens",
)
GROUP: Final = "cordboard.core.native"
"""mypyc's name for the compiled group."""
GROUP_LIBRARY: Final = GROUP + "__mypyc"
"""The group's shared library, which each compiled module's own extension loads."""
SOURCES_FILE: Final = "native-sources.json"
"""Written next to the group's library by the build: the SHA-256 of each compiled module's source."""
ENV: Final = "CORDBOARD_NATIVE"
PACKAGE_DIR: Final = Path(__file__).resolve().parent
"""This package's folder: ``core/`` in a checkout, ``cordboard/core/`` in site-packages."""
CHECKOUT_BUILD: Final = PACKAGE_DIR.parent / "build" / "native"
"""Where ``make native`` puts the compiled modules of a source checkout."""


def source_path(module: str, package_dir: Path = PACKAGE_DIR) -> Path:
    """``cordboard.core.sip.uri`` -> ``<package_dir>/sip/uri.py``."""
    parts = module.split(".")
    assert parts[:2] == ["cordboard", "core"], module
    return package_dir.joinpath(*parts[2:]).with_suffix(".py")


def source_digests(package_dir: Path = PACKAGE_DIR) -> dict[str, str]:
    return {
        module: hashlib.sha256(source_path(module, package_dir).read_bytes()).hexdigest()
        for module in COMPILED_MODULES
    }


def extension_path(build: Path, module: str) -> Path:
    """Where ``build_ext --build-lib build`` puts ``module``'s extension."""
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    return build.joinpath(*module.split(".")).with_name(module.rsplit(".", 1)[1] + suffix)


def stamp_path(build: Path) -> Path:
    """Where the build in ``build`` records its sources (``SOURCES_FILE``)."""
    return extension_path(build, GROUP_LIBRARY).with_name(SOURCES_FILE)


class _BuildFinder(importlib.abc.MetaPathFinder):
    """Finds the compiled modules (and their group's library) in a checkout's ``build/native``."""

    def __init__(self, build: Path) -> None:
        self.files = {name: extension_path(build, name) for name in (*COMPILED_MODULES, GROUP_LIBRARY)}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        file = self.files.get(fullname)
        if file is None:
            return None
        return importlib.util.spec_from_file_location(fullname, file)


@dataclass(frozen=True, slots=True)
class EngineChoice:
    """Which copy of the SIP engine runs."""

    description: str
    """``compiled (...)`` or ``pure Python (why)``, for the log and ``system_info``."""
    stale: bool = False
    """A checkout's build is there but no longer matches the sources: worth a warning."""


def use_checkout_build(build: Path = CHECKOUT_BUILD, package_dir: Path = PACKAGE_DIR) -> EngineChoice:
    """Load the compiled modules from ``build`` if it holds a build of the current sources."""
    if os.environ.get(ENV) == "0":
        return EngineChoice(f"pure Python ({ENV}=0)")
    if extension_path(package_dir.parents[1], GROUP_LIBRARY).exists():
        return EngineChoice("compiled (installed)")
    stamp = stamp_path(build)
    if not stamp.exists():
        return EngineChoice("pure Python (not built: `make native` compiles the SIP engine)")
    try:
        built = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return EngineChoice(f"pure Python ({stamp} is unreadable: `make native` builds it again)", stale=True)
    finder = _BuildFinder(build)
    changed = [
        module for module, digest in source_digests(package_dir).items() if built.get(module) != digest
    ]
    missing = [name for name, file in finder.files.items() if not file.exists()]
    if changed or missing:
        first = (changed or missing)[0]
        return EngineChoice(
            f"pure Python (the build in {build} is older than {first}: `make native` builds it again)",
            stale=True,
        )
    if any(module in sys.modules for module in COMPILED_MODULES):
        return EngineChoice("pure Python (already imported)")
    sys.meta_path.insert(0, finder)
    return EngineChoice(f"compiled ({build})")


def is_compiled(module: ModuleType) -> bool:
    """Whether ``module`` was loaded from a compiled extension rather than its source."""
    return isinstance(getattr(module, "__loader__", None), importlib.machinery.ExtensionFileLoader)
