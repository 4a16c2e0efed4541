"""Plugin manifests: read and validate manifest.json without importing the plugin; dependency order."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypedDict

import voluptuous as vol

from cordboard.core.exceptions import PluginError

_DOMAIN_RE: Final = re.compile(r"^[a-z][a-z0-9_]{1,48}$")
_VERSION_RE: Final = re.compile(r"^\d+\.\d+(\.\d+)?([.-][0-9A-Za-z.]+)?$")


class Manifest(TypedDict, total=False):
    domain: str
    name: str
    version: str
    description: str
    dependencies: list[str]
    after_dependencies: list[str]
    requirements: list[str]
    zeroconf: list[str | dict[str, str]]
    default_enabled: bool


def _domain(value: Any) -> str:
    if not isinstance(value, str) or not _DOMAIN_RE.match(value):
        raise vol.Invalid("a domain is 2-49 characters of a-z, 0-9 and _, starting with a letter")
    return value


def _version(value: Any) -> str:
    if not isinstance(value, str) or not _VERSION_RE.match(value):
        raise vol.Invalid("expected a version such as 1.0.0")
    return value


MANIFEST_SCHEMA: Final = vol.Schema(
    {
        vol.Required("domain"): _domain,
        vol.Required("name"): vol.All(str, vol.Length(min=1, max=100)),
        vol.Required("version"): _version,
        vol.Optional("description", default=""): str,
        vol.Optional("dependencies", default=[]): [_domain],
        vol.Optional("after_dependencies", default=[]): [_domain],
        vol.Optional("requirements", default=[]): [str],
        vol.Optional("zeroconf", default=[]): [vol.Any(str, {str: str})],
        vol.Optional("default_enabled", default=True): bool,
    }
)


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What is known about an installed plugin before it is imported."""

    domain: str
    module: str
    path: Path
    manifest: Manifest
    builtin: bool


def read_manifest(path: Path, *, expected_domain: str | None = None) -> Manifest:
    """Read and validate ``manifest.json``; errors name the file and the field."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PluginError(f"{path}: no manifest.json") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PluginError(f"{path}: cannot be read: {err}") from None
    try:
        manifest: Manifest = MANIFEST_SCHEMA(raw)
    except vol.Invalid as err:
        errors = err.errors if isinstance(err, vol.MultipleInvalid) else [err]
        details = "; ".join(f"{'.'.join(map(str, e.path)) or '(root)'}: {e.msg}" for e in errors)
        raise PluginError(f"{path}: invalid manifest: {details}") from None
    if expected_domain is not None and manifest["domain"] != expected_domain:
        raise PluginError(
            f"{path}: domain {manifest['domain']!r} does not match the plugin name {expected_domain!r}"
        )
    return manifest


def locate_plugin(module: str) -> Path:
    """The package folder of ``module``, found without executing the plugin's own code."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as err:
        raise PluginError(f"Plugin module {module} cannot be found: {err}") from None
    if spec is None or not spec.submodule_search_locations:
        raise PluginError(f"Plugin module {module} is not an installed package")
    return Path(next(iter(spec.submodule_search_locations)))


def load_plugin_info(domain: str, module: str, *, builtin: bool) -> PluginInfo:
    path = locate_plugin(module)
    manifest = read_manifest(path / "manifest.json", expected_domain=domain)
    return PluginInfo(domain, module, path, manifest, builtin)


def dependency_order(manifests: Mapping[str, Manifest]) -> list[str]:
    """Order domains so each comes after its dependencies and present after_dependencies.

    Raises PluginError naming a missing dependency or the members of a cycle.
    """
    for domain, manifest in manifests.items():
        for dep in manifest.get("dependencies", []):
            if dep not in manifests:
                raise PluginError(f"Plugin {domain!r} needs {dep!r}, which is not available")
    order: list[str] = []
    visiting: list[str] = []
    done: set[str] = set()

    def visit(domain: str) -> None:
        if domain in done:
            return
        if domain in visiting:
            cycle = [*visiting[visiting.index(domain) :], domain]
            raise PluginError(f"Plugin dependency cycle: {' -> '.join(cycle)}")
        visiting.append(domain)
        manifest = manifests[domain]
        deps = [*manifest.get("dependencies", []), *manifest.get("after_dependencies", [])]
        for dep in sorted(d for d in deps if d in manifests):
            visit(dep)
        visiting.pop()
        done.add(domain)
        order.append(domain)

    for domain in sorted(manifests):
        visit(domain)
    return order
