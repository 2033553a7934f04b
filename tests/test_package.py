"""The house rules: one import package, imports that point down, public surfaces that say what they hold.

    pakt.schemas  imports nothing of ours
    pakt.plugin   imports pakt.schemas, never pakt.sync
    pakt.sync     imports pakt.schemas, never pakt.plugin
    pakt (root)   the only modules that import both faces

Imports are read from the source with `ast`, including those inside functions,
so a late import cannot hide an arrow that points the wrong way.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FACES = {"pakt.schemas": REPO / "schemas", "pakt.plugin": REPO / "plugin", "pakt.sync": REPO / "sync"}
ROOT = REPO / "pakt"
FORBIDDEN = {
    "pakt.schemas": ("pakt.plugin", "pakt.sync", "pakt.cli", "pakt._"),
    "pakt.plugin": ("pakt.sync", "pakt.cli", "pakt._"),
    "pakt.sync": ("pakt.plugin", "pakt.cli", "pakt._"),
}
TOP_LEVEL_NAMES = ("schemas", "plugin", "sync")


def _module_name(package: str, path: Path, folder: Path) -> str:
    relative = path.relative_to(folder).with_suffix("")
    parts = [p for p in relative.parts if p != "__init__"]
    return ".".join([package, *parts])


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    """Every module a file imports (absolute names), with the line, wherever the import statement stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
    return found


def _sources(package: str, folder: Path) -> list[tuple[str, Path]]:
    return [(_module_name(package, path, folder), path) for path in sorted(folder.rglob("*.py"))]


@pytest.mark.parametrize("face", sorted(FACES))
def test_each_face_imports_only_downwards(face):
    wrong = []
    for module, path in _sources(face, FACES[face]):
        for line, imported in _imports(path, module):
            if imported.startswith(FORBIDDEN[face]) or imported == "pakt":
                wrong.append(f"{path.relative_to(REPO)}:{line} imports {imported}")
    assert not wrong, "\n".join(wrong)


def test_only_the_root_imports_both_faces():
    both = []
    for module, path in _sources("pakt", ROOT):
        imported = {name for _, name in _imports(path, module)}
        if any(n.startswith("pakt.plugin") for n in imported) and any(n.startswith("pakt.sync") for n in imported):
            both.append(module)
    assert both, "the root composes the server from both faces"
    for face, folder in FACES.items():
        for module, path in _sources(face, folder):
            imported = {name for _, name in _imports(path, module)}
            assert not (
                any(n.startswith("pakt.plugin") for n in imported) and any(n.startswith("pakt.sync") for n in imported)
            ), module


def test_nothing_imports_the_folders_as_top_level_packages():
    """`schemas`, `plugin` and `sync` exist only as pakt.*; a bare import would load a second copy (or a stranger's)."""
    wrong = []
    for path in sorted(REPO.rglob("*.py")):
        if any(part.startswith(".") or part in ("build", "dist") for part in path.relative_to(REPO).parts):
            continue
        for line, imported in _imports(path, "__main__"):
            if imported.split(".")[0] in TOP_LEVEL_NAMES:
                wrong.append(f"{path.relative_to(REPO)}:{line} imports {imported}")
    assert not wrong, "\n".join(wrong)


def _public_names(module) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name not in ("annotations", "lazy_exports")
    } | ({"lazy_exports"} if module.__name__ == "pakt.schemas" else set())


@pytest.mark.parametrize("package", ["pakt", *sorted(FACES)])
def test_all_lists_exactly_the_public_names(package):
    module = importlib.import_module(package)
    assert len(module.__all__) == len(set(module.__all__)), "a name is listed twice"
    for name in module.__all__:  # the faces import their names on first use
        assert getattr(module, name) is not None
    assert set(module.__all__) == _public_names(module)
    assert set(dir(module)) >= set(module.__all__)


STARTUP_PROBE = """
import sys
import pakt.cli
heavy = ("pydantic", "gspread", "google.auth", "fastapi", "xlsxwriter", "xlwings", "python_calamine", "sqlite3",
         "pakt.schemas._submission", "pakt.sync._run", "pakt.plugin._template")
print(",".join(name for name in heavy if name in sys.modules))
"""


def test_the_command_imports_nothing_heavy_before_a_command_runs():
    """`pakt --help` and a district without Google must not pay for models, Google's client or the writers."""
    done = subprocess.run([sys.executable, "-c", STARTUP_PROBE], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_pakt_status_does_not_import_the_sync_run():
    """`pakt status` reads the store; where the master and the store are must not cost the sync's import."""
    probe = (
        "import sys\nfrom pakt.sync import master_path, state_path, status_report\n"
        "print('pakt.sync._run' in sys.modules, 'xlsxwriter' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_a_sync_without_google_sheets_never_imports_googles_client(tmp_path):
    probe = f"""
import sys
from pathlib import Path
from pakt.schemas import load_registry
from pakt.sync import SyncOptions, run_sync
run_sync(load_registry(Path({str(REPO / "pakt.toml")!r})), SyncOptions(master=Path({str(tmp_path / "m.xlsx")!r})))
print(",".join(n for n in ("gspread", "google.auth", "fastapi", "xlwings") if n in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1:] in ([], [""])
