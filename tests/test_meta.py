"""Meta: every module imports alone, pyproject lists every package, every manifest and schema validates."""

from __future__ import annotations

import importlib
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import voluptuous as vol

from cordboard.core.http.server import core_route_prefixes
from cordboard.core.manifest import read_manifest
from cordboard.core.plugin_manager import BUILTIN_PLUGINS, PluginManager

ROOT = Path(__file__).resolve().parents[1]
ROOTS = {"cordboard.core": ROOT / "core", "cordboard.plugins": ROOT / "plugins"}


def packages_on_disk() -> set[str]:
    found = set()
    for prefix, folder in ROOTS.items():
        for init in folder.rglob("__init__.py"):
            rel = init.parent.relative_to(folder)
            found.add(".".join([prefix, *rel.parts]) if rel.parts else prefix)
    return found


def modules_on_disk() -> list[str]:
    modules = []
    for prefix, folder in ROOTS.items():
        for path in folder.rglob("*.py"):
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            if parts and parts[-1] == "__main__":
                continue
            modules.append(".".join([prefix, *parts]))
    return sorted(modules)


def test_pyproject_lists_every_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    assert listed == packages_on_disk()


def test_builtin_plugins_are_entry_points_too() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    entry_points = pyproject["project"]["entry-points"]["cordboard.plugins"]
    for domain in BUILTIN_PLUGINS:
        assert entry_points[domain] == f"cordboard.plugins.{domain}"


@pytest.mark.parametrize("module", modules_on_disk())
def test_module_imports_in_isolation(module: str) -> None:
    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_code_never_imports_top_level_core() -> None:
    offenders = []
    for folder in ROOTS.values():
        for path in folder.rglob("*.py"):
            for line in path.read_text().splitlines():
                stripped = line.strip()
                if stripped.startswith(("from core", "import core", "from plugins", "import plugins")):
                    offenders.append(f"{path}: {stripped}")
    assert offenders == []


@pytest.mark.parametrize("domain", sorted(PluginManager.discover()))
def test_every_manifest_and_schema_validates(domain: str) -> None:
    info = PluginManager.discover()[domain]
    manifest = read_manifest(info.path / "manifest.json", expected_domain=domain)
    assert domain not in core_route_prefixes(), f"plugin {domain} would shadow core routes"
    module = importlib.import_module(info.module)
    schema_hook = getattr(module, "cordboard_config_schema", None)
    if schema_hook is not None:
        schema = schema_hook()
        assert isinstance(schema, vol.Schema)
        schema({})  # an empty config is valid: every optional key has a default
    assert manifest["version"]
