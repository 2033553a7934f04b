"""The house rules: one import package, imports that point down, public surfaces that say what they hold.

    pakt.schemas  imports nothing of ours
    pakt.plugin   imports pakt.schemas, never pakt.sync
    pakt.sync     imports pakt.schemas, never pakt.plugin
    pakt (root)   the only modules that import both faces

Inside pakt.sync the rooms (sub-packages) are layered, lowest first, as SYNC_ROOMS lists them: a room imports
only rooms before it, no room holds more than MAX_MODULES modules, and no module imports itself
through others. `python tests/test_package.py` prints the house: every package folder with its module count,
and the imports between the rooms.

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
SYNC_ROOMS = ("files", "reader", "google", "sources", "store", "view", "master", "run", "year", "state")
"""pakt.sync's rooms, lowest first; each one's __init__ docstring says what it holds."""
MAX_MODULES = 15
"""More modules than this in one folder, and a newcomer no longer sees which are theirs."""


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


EXTENSION = REPO / "plugin" / "libreoffice"
"""The LibreOffice extension's files: its Python runs inside LibreOffice (zipped into an .oxt), not in pakt."""


def _sources(package: str, folder: Path) -> list[tuple[str, Path]]:
    paths = [path for path in sorted(folder.rglob("*.py")) if not path.is_relative_to(EXTENSION)]
    return [(_module_name(package, path, folder), path) for path in paths]


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
         "pakt.schemas._submission", "pakt.sync.run._run", "pakt.plugin._template")
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
        "print('pakt.sync.run._run' in sys.modules, 'xlsxwriter' in sys.modules)"
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


# -- the house: rooms, their sizes and the imports between them ----------------------------------------------


def _product_modules() -> dict[str, Path]:
    modules = {}
    for package, folder in {**FACES, "pakt": ROOT}.items():
        for module, path in _sources(package, folder):
            modules[module] = path
    return modules


def _module_edges() -> dict[str, set[str]]:
    """Module → the product modules it imports (an imported name resolves to the module that defines it)."""
    modules = _product_modules()
    edges = {}
    for module, path in modules.items():
        targets = set()
        for _, imported in _imports(path, module):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != module:
                targets.add(imported)
        edges[module] = targets
    return edges


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 3 and parts[1] == "sync" else None


def _package_folders() -> list[tuple[Path, int]]:
    folders = sorted({path.parent for path in _product_modules().values()})
    return [(folder, sum(1 for p in folder.glob("*.py") if p.name != "__init__.py")) for folder in folders]


def _room_imports() -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for module, targets in _module_edges().items():
        for target in targets:
            here, there = _room(module), _room(target)
            if here and there and here != there:
                counts[here, there] = counts.get((here, there), 0) + 1
    return counts


def house_map() -> str:
    """The house as text: package folders with their module counts, then which room imports which, how often."""
    lines = ["package folder                 modules"]
    lines += [f"{str(folder.relative_to(REPO)) + '/':30} {count:7}" for folder, count in _package_folders()]
    lines += ["", "pakt.sync's rooms, lowest first, and the imports between them (module pairs):"]
    imports = _room_imports()
    for room in SYNC_ROOMS:
        uses = [f"{there} {imports[room, there]}" for there in SYNC_ROOMS if (room, there) in imports]
        lines.append(f"  {room:8} -> {', '.join(uses) or 'nothing of ours but pakt.schemas'}")
    return "\n".join(lines)


def test_the_sync_rooms_are_the_folders_of_sync():
    folders = {path.name for path in (REPO / "sync").iterdir() if path.is_dir() and path.name != "__pycache__"}
    assert folders == set(SYNC_ROOMS)
    loose = sorted(p.name for p in (REPO / "sync").glob("*.py") if p.name != "__init__.py")
    assert not loose, f"every module of pakt.sync lives in a room: {loose}"
    for room in SYNC_ROOMS:
        doc = ast.get_docstring(ast.parse((REPO / "sync" / room / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "May import" in doc, f"sync/{room}/__init__.py says what the room holds and may import"


def test_no_room_of_sync_is_a_crowd():
    """The rule for sync's rooms; schemas/ (20) and plugin/ (23) are one job each and not yet split."""
    crowded = [
        f"{folder.relative_to(REPO)}: {count}"
        for folder, count in _package_folders()
        if folder.is_relative_to(REPO / "sync") and count > MAX_MODULES
    ]
    assert not crowded, "\n".join(crowded)


def test_every_package_folder_is_installed():
    """A folder missing from pyproject's packages works in a checkout and is absent from the wheel."""
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    modules = _product_modules()
    packages = {module for module, path in modules.items() if path.name == "__init__.py"}
    assert packages == listed
    assert all((path.parent / "__init__.py").is_file() for path in modules.values())


def test_rooms_import_only_rooms_below_them():
    upward = [
        f"{here} imports {there} {count} times"
        for (here, there), count in sorted(_room_imports().items())
        if SYNC_ROOMS.index(there) > SYNC_ROOMS.index(here)
    ]
    assert not upward, "\n".join(upward) + "\n\n" + house_map()


def test_no_module_imports_itself_through_others():
    """A circle, even one only type checkers follow, means two modules that cannot be read apart."""
    edges = _module_edges()
    circles, state = [], {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                circles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert not circles, "\n".join(circles)


def test_the_house_check_finds_what_it_is_for():
    """The two checks above look at real imports: an upward import and a circle, written here, are found."""
    assert _room("pakt.sync.year._payout") == "year" and _room("pakt.sync") is None
    edges = _module_edges()
    assert "pakt.sync.store._store" in edges["pakt.sync.run._run"]
    assert "pakt.sync.sources._source" in edges["pakt.sync.sources._intake"]
    assert ("run", "store") in _room_imports()


if __name__ == "__main__":
    print(house_map())
