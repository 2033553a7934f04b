"""The sample district kept in Google Sheets: its sheets loaded into the stand-in, a registry that names them."""

from __future__ import annotations

import copy
import re
from pathlib import Path

from google_standin.model import load_xlsx

from pakt.schemas import load_registry
from pakt.sync import SyncOptions, run_sync


def load_samples(repo: Path) -> dict:
    """The sample workbooks as Google would hold them after conversion, by file name."""
    return {p.name: load_xlsx(p) for p in sorted((repo / "sample_workbooks").glob("0832*.xlsx"))}


class GoogleDistrict:
    def __init__(self, root: Path, standin, ids: dict[str, str], master_id: str) -> None:
        self.root, self.standin, self.ids, self.master_id = root, standin, ids, master_id

    @property
    def world(self):
        return self.standin.world

    def registry(self):
        return load_registry(self.root / "pakt.toml")

    def sync(self, **options):
        options.setdefault("google_sessions", self.standin.sessions())
        return run_sync(self.registry(), SyncOptions(**options))

    def sheet_of(self, name: str):
        return self.world.spreadsheets[self.ids[name]]

    def master_sheet(self, title: str):
        return self.world.spreadsheets[self.master_id].sheet(title)


def make_district(tmp_path, standin, loaded, repo, **google) -> GoogleDistrict:
    world = standin.fresh(
        reads_per_window=google.pop("standin_reads", 600), drive_per_window=google.pop("standin_drive", 12_000)
    )
    ids = {}
    text = (repo / "pakt.toml").read_text(encoding="utf-8")
    for file_name, spreadsheet in loaded.items():
        copied = world.add(copy.deepcopy(spreadsheet))
        name = re.search(
            rf'name = "([^"]+)"\nim_mode = "[a-z]+"\nworkbook = "sample_workbooks/{re.escape(file_name)}"', text
        ).group(1)
        ids[name] = copied.spreadsheet_id
        text = text.replace(
            f'workbook = "sample_workbooks/{file_name}"', f'workbook = "gsheet:{copied.spreadsheet_id}"'
        )
    master = world.empty("Pakt Übersicht Landkreis Tuttlingen")
    settings = {"reads_per_minute": 600, "backoff_s": 0.01, "timeout_s": 2.0, **google}
    text = text.replace('folders = ["sample_workbooks"]', "folders = []")
    text = text.replace(
        "[master]\n", f'[master]\ngoogle = "https://docs.google.com/spreadsheets/d/{master.spreadsheet_id}/edit"\n'
    )
    text += "\n[google]\n" + "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in settings.items())
    root = tmp_path / "landkreis"
    root.mkdir()
    (root / "pakt.toml").write_text(text, encoding="utf-8")
    return GoogleDistrict(root, standin, ids, master.spreadsheet_id)
