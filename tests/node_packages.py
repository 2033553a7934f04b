"""The Node tests' npm dev dependencies (tests/plugin/node/package.json), installed once per checkout.

Google's Apps Script typings (server and client side), which the Google stand-ins are held to, and jsdom, in
which the sidebar of Prüfen runs. `./test` installs them with `npm ci`; a plain `pytest` does the same here the
first time a test needs them and finds one missing or at another version than the lock file pins (the npm
registry must be reachable then).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

NODE_DIR = Path(__file__).parent / "plugin" / "node"


def missing() -> list[str]:
    """The pinned packages (name@version) that node_modules lacks or holds at another version."""
    wanted = json.loads((NODE_DIR / "package.json").read_text(encoding="utf-8"))["devDependencies"]
    absent = []
    for name, version in wanted.items():
        meta = NODE_DIR / "node_modules" / name / "package.json"
        if not meta.is_file() or json.loads(meta.read_text(encoding="utf-8")).get("version") != version:
            absent.append(f"{name}@{version}")
    return absent


@cache
def ensure_node_packages() -> None:
    """Run `npm ci` if a pinned package is missing."""
    if not missing():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is missing: ./test installs it (Debian package npm)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, capture_output=True)
