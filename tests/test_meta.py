"""Meta: every module imports alone, pyproject lists every package, every manifest and schema validates."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import voluptuous as vol

from cordboard.core.http.schema_serialize import serialize_schema
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


# Each module is imported by a fresh child forked from one interpreter that has loaded the
# third-party libraries but none of Cordboard: an import cycle among our modules shows as surely as
# in a new interpreter per module, without paying numpy's, aiohttp's and PyAV's import 350 times.
_IMPORT_EACH = """
import importlib, json, os, sys, traceback
for library in ("numpy", "aiohttp.web", "av", "voluptuous", "voluptuous_serialize", "sqlite_utils",
                "pluggy", "zeroconf", "aiortc", "cryptography.x509", "aiosmtplib", "serial"):
    importlib.import_module(library)
assert not [name for name in sys.modules if name.startswith("cordboard")]
failures = {}
for module in sys.argv[1:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(module)
            code = 0
        except BaseException:
            os.write(write, traceback.format_exc().encode())
            code = 1
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        output = pipe.read().decode(errors="replace")
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failures[module] = output or f"exit status {status}"
print(json.dumps(failures))
"""


@pytest.fixture(scope="module")
def import_failures() -> dict[str, str]:
    """Every module's import traceback, for the modules that fail (two workers: the machine has two
    cores and the rest of the suite runs on one)."""
    modules = modules_on_disk()
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _IMPORT_EACH, *modules[half::2]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for half in (0, 1)
    ]
    failures: dict[str, str] = {}
    for worker in workers:
        out, err = worker.communicate()
        assert worker.returncode == 0, err
        failures.update(json.loads(out.strip().splitlines()[-1]))
    return failures


@pytest.mark.parametrize("module", modules_on_disk())
def test_module_imports_in_isolation(module: str, import_failures: dict[str, str]) -> None:
    assert module not in import_failures, import_failures[module]


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
        fields = serialize_schema(schema)  # the settings form is generated from it: every field
        assert "(unsupported)" not in [f.get("name") for f in fields], (
            f"{domain}'s settings form cannot be made"
        )
        assert {f["name"] for f in fields} == {str(key) for key in schema.schema}, (
            f"{domain}: fields left out"
        )
    assert manifest["version"]
