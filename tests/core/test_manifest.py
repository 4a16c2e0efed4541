"""Manifests read without importing; dependency order with clear errors for cycles and gaps."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cordboard.core.exceptions import PluginError
from cordboard.core.manifest import Manifest, dependency_order, load_plugin_info, read_manifest


def m(domain: str, deps: tuple[str, ...] = (), after: tuple[str, ...] = ()) -> Manifest:
    return Manifest(
        domain=domain, name=domain, version="1.0.0", dependencies=list(deps), after_dependencies=list(after)
    )


def test_dependencies_come_first() -> None:
    order = dependency_order(
        {
            "acd": m("acd", ("voicemail", "notify")),
            "voicemail": m("voicemail", ("notify",)),
            "notify": m("notify"),
        }
    )
    assert order.index("notify") < order.index("voicemail") < order.index("acd")


def test_after_dependencies_order_only_when_present() -> None:
    order = dependency_order({"ivr": m("ivr", after=("voicemail", "absent")), "voicemail": m("voicemail")})
    assert order == ["voicemail", "ivr"]


def test_missing_dependency_is_named() -> None:
    with pytest.raises(PluginError, match="'acd' needs 'queues', which is not available"):
        dependency_order({"acd": m("acd", ("queues",))})


def test_cycle_is_named() -> None:
    with pytest.raises(PluginError, match="cycle: a -> b -> c -> a"):
        dependency_order({"a": m("a", ("b",)), "b": m("b", ("c",)), "c": m("c", ("a",))})


def test_invalid_manifest_names_field(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"domain": "Bad-Name", "name": "x", "version": "one"}))
    with pytest.raises(PluginError) as err:
        read_manifest(path)
    assert "domain:" in str(err.value) and "version:" in str(err.value)
    path.write_text("{not json")
    with pytest.raises(PluginError, match="cannot be read"):
        read_manifest(path)


def test_manifest_read_without_importing_the_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "cb_probe_plugin"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("raise RuntimeError('imported!')\n")
    (pkg / "manifest.json").write_text(
        json.dumps({"domain": "cb_probe_plugin", "name": "Probe", "version": "0.1"})
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    info = load_plugin_info("cb_probe_plugin", "cb_probe_plugin", builtin=False)
    assert info.manifest["name"] == "Probe"
    assert info.manifest["dependencies"] == []
    assert "cb_probe_plugin" not in sys.modules


def test_domain_must_match_folder(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"domain": "other", "name": "x", "version": "1.0"}))
    with pytest.raises(PluginError, match="does not match"):
        read_manifest(path, expected_domain="mine")
