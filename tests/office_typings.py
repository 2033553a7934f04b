"""Microsoft's Office.js typings (npm), which the Excel stand-in is built from, installed once per checkout.

`./test` installs them with `npm ci` before the suite; a plain `pytest` does the same here the first
time a Node test needs them (the npm registry must be reachable then).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

NODE_DIR = Path(__file__).parent / "plugin" / "node"
PACKAGES = ("@types/office-js", "@types/office-runtime", "@types/custom-functions-runtime")


def installed() -> bool:
    return all((NODE_DIR / "node_modules" / p / "index.d.ts").is_file() for p in PACKAGES)


@cache
def ensure_typings() -> dict:
    """Install the pinned typings if they are missing; return the table officejs_typings.js reads from them."""
    if not installed():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is missing: ./test installs it (Debian package npm)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, capture_output=True)
    done = subprocess.run(
        ["node", str(NODE_DIR / "officejs_typings.js")], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout)


def newest_excel_api(table: dict) -> str:
    """The newest ExcelApi set any member of the typings names."""
    versions = {
        member["requirement"]["version"]
        for owner in table["namespaces"]["Excel"].values()
        for member in owner["members"].values()
        if member["requirement"] and member["requirement"]["set"] == "ExcelApi" and member["requirement"]["version"]
    }
    return max(versions, key=version_key)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))
