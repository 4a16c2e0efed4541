"""The compiled SIP engine (core/native.py): the tests run it compiled, and a stale build is never used."""

from __future__ import annotations

import ast
import importlib
import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import cordboard.core
from cordboard.core.native import (
    COMPILED_MODULES,
    GROUP_LIBRARY,
    extension_path,
    is_compiled,
    source_digests,
    source_path,
    stamp_path,
    use_checkout_build,
)


def test_the_tests_run_the_engine_as_make_test_asked() -> None:
    """`make unit` runs everything compiled (CORDBOARD_REQUIRE_NATIVE=1) and the sans-IO tests once
    more as Python (CORDBOARD_NATIVE=0): each module is what that run meant to test."""
    modules = [importlib.import_module(name) for name in COMPILED_MODULES]
    if os.environ.get("CORDBOARD_REQUIRE_NATIVE") == "1":
        assert cordboard.core.SIP_ENGINE.description.startswith("compiled"), cordboard.core.SIP_ENGINE
        assert [m.__name__ for m in modules if not is_compiled(m)] == []
    elif os.environ.get("CORDBOARD_NATIVE") == "0":
        assert cordboard.core.SIP_ENGINE.description == "pure Python (CORDBOARD_NATIVE=0)"
        assert [m.__name__ for m in modules if is_compiled(m)] == []
    else:
        assert all(is_compiled(m) for m in modules) == cordboard.core.SIP_ENGINE.description.startswith(
            "compiled"
        )
    assert not is_compiled(importlib.import_module("cordboard.core.sip.service"))


def test_the_hot_data_classes_construct_in_compiled_code() -> None:
    """Messages, their URIs and Vias, and transactions are made for every message: their __init__
    is written out because the one @dataclass generates is a Python function even in a compiled
    module."""
    from cordboard.core.sip.headers import Via
    from cordboard.core.sip.message import SipRequest, SipResponse
    from cordboard.core.sip.transaction import _Transaction
    from cordboard.core.sip.uri import NameAddr, SipUri

    compiled = cordboard.core.SIP_ENGINE.description.startswith("compiled")
    for cls in (SipUri, NameAddr, Via, SipRequest, SipResponse, _Transaction):
        assert isinstance(cls.__init__, types.FunctionType) is not compiled, cls
    uri = SipUri(host="example.com", user="alice")
    assert (uri.scheme, uri.port, uri.params, uri.headers) == ("sip", None, {}, {})
    assert NameAddr(uri).params == {} and NameAddr(uri).params is not NameAddr(uri).params
    via = Via("UDP", "10.0.0.1", 5060, {"branch": "z9hG4bK1"})
    assert str(via) == "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1"
    request = SipRequest("OPTIONS", uri)
    assert (request.body, request.version, len(request.headers.items())) == (b"", "SIP/2.0", 0)
    assert SipRequest("OPTIONS", uri).headers is not request.headers
    assert bytes(SipResponse(200, "OK")).startswith(b"SIP/2.0 200 OK\r\n")


WRITTEN_OUT_INITS = {
    "cordboard.core.sip.uri": ("SipUri", "NameAddr"),
    "cordboard.core.sip.headers": ("Via",),
    "cordboard.core.sip.message": ("SipRequest", "SipResponse"),
    "cordboard.core.sip.transaction": ("_Transaction",),
}


def test_the_written_out_inits_hold_the_only_defaults() -> None:
    """The six classes above write their __init__ out and are @dataclass(init=False): the
    __init__ is the one place their defaults live (the test above checks them), and no field
    declares a second copy that could drift from it. Read from the sources: compiled, a field
    without a default shows a base class's attribute descriptor as its default."""
    checked = 0
    for module, names in WRITTEN_OUT_INITS.items():
        tree = ast.parse(source_path(module).read_text())
        classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
        for name in names:
            node = classes[name]
            (decorator,) = [d for d in node.decorator_list if isinstance(d, ast.Call)]
            assert ast.unparse(decorator.func) == "dataclass", name
            assert {k.arg: ast.unparse(k.value) for k in decorator.keywords}.get("init") == "False", name
            assert any(isinstance(n, ast.FunctionDef) and n.name == "__init__" for n in node.body), name
            for field in [n for n in node.body if isinstance(n, ast.AnnAssign)]:
                assert field.value is None, f"{name}.{ast.unparse(field.target)} declares a default"
                checked += 1
    assert checked >= 30


def test_every_compiled_module_imports_only_the_standard_library_and_each_other() -> None:
    """mypyc checks declared types at run time; third-party stubs are not exact enough for that."""
    plain = {"cordboard.core.sip.errors", "cordboard.core.sip.status", "cordboard.core.sip.events"}
    allowed = set(COMPILED_MODULES) | plain | {"cordboard.core.sip"}
    for module in COMPILED_MODULES:
        imported = set()
        for line in source_path(module).read_text().splitlines():
            words = line.split()
            if words[:1] in (["from"], ["import"]) and words[1].startswith("cordboard"):
                imported.add(words[1])
            elif words[:1] in (["from"], ["import"]) and not line.startswith((" ", "\t")):
                top = words[1].split(".")[0]
                assert top in sys.stdlib_module_names or top == "__future__", f"{module} imports {words[1]}"
        assert imported <= allowed, f"{module} imports {sorted(imported - allowed)}"


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A copy of the compiled modules' sources and a fake build of them (empty extension files)."""
    monkeypatch.delenv("CORDBOARD_NATIVE", raising=False)
    package = tmp_path / "core"
    for module in COMPILED_MODULES:
        target = source_path(module, package)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source_path(module), target)
    build = tmp_path / "build" / "native"
    for name in (*COMPILED_MODULES, GROUP_LIBRARY):
        file = extension_path(build, name)
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(b"")
    stamp_path(build).write_text(json.dumps(source_digests(package)))
    return package, build


def test_a_build_of_the_current_sources_is_not_swapped_in_after_import(checkout: tuple[Path, Path]) -> None:
    package, build = checkout
    finders = list(sys.meta_path)
    # (this process has imported the modules already, so it keeps them: nothing is swapped under it)
    assert use_checkout_build(build, package).description == "pure Python (already imported)"
    assert sys.meta_path == finders


def test_an_edited_source_makes_the_build_stale(checkout: tuple[Path, Path]) -> None:
    package, build = checkout
    edited = source_path("cordboard.core.sip.message", package)
    edited.write_text(edited.read_text() + "\n# edited\n")
    assert use_checkout_build(build, package).description == (
        f"pure Python (the build in {build} is older than cordboard.core.sip.message: "
        "`make native` builds it again)"
    )
    assert use_checkout_build(build, package).stale  # the start-up log warns


def test_a_missing_extension_or_stamp_means_python(checkout: tuple[Path, Path]) -> None:
    package, build = checkout
    extension_path(build, "cordboard.core.sip.uri").unlink()
    assert "older than cordboard.core.sip.uri" in use_checkout_build(build, package).description
    stamp = stamp_path(build)
    stamp.write_text("{not json")
    assert "is unreadable" in use_checkout_build(build, package).description
    stamp.unlink()
    assert use_checkout_build(build, package).description.startswith("pure Python (not built")
    assert not use_checkout_build(build, package).stale  # never built is no reason to warn


def test_cordboard_native_0_turns_it_off(
    checkout: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    package, build = checkout
    monkeypatch.setenv("CORDBOARD_NATIVE", "0")
    assert use_checkout_build(build, package).description == "pure Python (CORDBOARD_NATIVE=0)"


def test_a_fresh_process_parses_with_the_engine_this_one_chose() -> None:
    """Start-up as `cordboard run` does it: cordboard.core chooses the build before any SIP import
    (so a test's Cordboard subprocess runs what the test process runs)."""
    script = (
        "import cordboard.core, cordboard.core.sip.message as m\n"
        "from cordboard.core.native import is_compiled\n"
        "r = m.parse_message(b'OPTIONS sip:a@b SIP/2.0\\r\\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\\r\\n"
        "From: <sip:c@d>;tag=1\\r\\nTo: <sip:a@b>\\r\\nCall-ID: x\\r\\nCSeq: 1 OPTIONS\\r\\n"
        "Max-Forwards: 70\\r\\nContent-Length: 0\\r\\n\\r\\n')\n"
        "print(cordboard.core.SIP_ENGINE.description, is_compiled(m), r.method)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    compiled = cordboard.core.SIP_ENGINE.description.startswith("compiled")
    assert out.stdout.split()[-2:] == [str(compiled), "OPTIONS"], out.stdout + out.stderr
