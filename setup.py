"""The compiled SIP engine (core/native.py), built with mypyc when CORDBOARD_NATIVE=1.

Without it the package is pure Python. `make native` builds a checkout's copy into build/native
(``python setup.py build_ext --build-lib build/native``); the appliance image builds its wheel with
CORDBOARD_NATIVE=1. Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

import json
import os
import runpy
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
NATIVE = runpy.run_path(str(ROOT / "core" / "native.py"))


def native_extensions() -> list[Any]:
    from mypyc.build import mypycify

    # mypy names a module by its path under mypy_path (pyproject.toml): build/typecheck holds
    # cordboard/core and cordboard/plugins as links, as for `make typecheck`.
    links = ROOT / "build" / "typecheck" / "cordboard"
    links.mkdir(parents=True, exist_ok=True)
    for name in ("core", "plugins"):
        link = links / name
        try:
            link.symlink_to(Path("..", "..", "..", name))
        except FileExistsError:  # made by `make typecheck`, or by a build running alongside
            pass
    paths = [f"build/typecheck/{module.replace('.', '/')}.py" for module in NATIVE["COMPILED_MODULES"]]
    return mypycify(
        ["--follow-imports=silent", *paths],
        opt_level="3",
        group_name=NATIVE["GROUP"],
        # The generated C (a folder relative to this one): a wheel built while `make native` runs
        # (the image's, beside the tests in CI) sets its own.
        target_dir=os.environ.get("CORDBOARD_NATIVE_C", "build/native-c"),
    )


class BuildNative(build_ext):
    """build_ext that also records the SHA-256 of the sources it compiled, which a checkout's
    Cordboard compares with its sources before it uses build/native."""

    def run(self) -> None:
        super().run()
        stamp = NATIVE["stamp_path"](Path(self.build_lib))
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps(NATIVE["source_digests"](ROOT / "core"), indent=1) + "\n")


if os.environ.get(NATIVE["ENV"]) == "1":
    setup(ext_modules=native_extensions(), cmdclass={"build_ext": BuildNative})
else:
    setup()
