"""Writing the district's masters (the xlsx file, the Google Sheet) and knowing what they show.

A master is written when what it shows differs from the district view: the
view's fingerprint, or the staff's notes it carries. Each master that could
not be written is a failure in German for the run (its previous content stays)
and leaves the run's "masters key" empty, so the next run writes it even when
no source changed. After a write, the notes it was written with are recorded
per medium, so that only what the staff change there later is taken back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pakt.schemas import (
    Code,
    EnvironmentFailure,
    Finding,
    MasterMedium,
    MasterNotWritten,
    Registry,
    Severity,
    SheetGrid,
)

from ..files._failpoints import failpoint
from ..files._file_access import FileAccess
from ..store._records import REVIEW_CHOICES, Annotation
from ..store._store import StateStore
from ._files import Written, last_editor, not_built, read_annotations, write_master_bytes
from ._layout import SHEET_CHARTS, RunStamp

if TYPE_CHECKING:  # Google's client and XlsxWriter are imported only by a run that writes (start-up)
    from ..google._client import GoogleAccess
    from ..view._consolidate import DistrictView

XLSX, GOOGLE = MasterMedium.XLSX.value, MasterMedium.GOOGLE.value
"""The master media whose notes are tracked."""


MEDIUM_EDITORS = {XLSX: "Übersicht (Datei)", GOOGLE: "Google-Übersicht"}
"""Who a decision typed into a master is recorded as, when the master does not say who typed it."""


def shown(annotations: dict[str, Annotation]) -> dict[str, Annotation]:
    """The notes a master shows (empty ones are no note)."""
    return {ags: a for ags, a in annotations.items() if not a.empty}


def refused_decisions(refused: dict[str, str], registry: Registry, where: str) -> list[Finding]:
    """Typed Prüfung texts that are no decision: reported, not recorded (the master then shows the decision
    in force again)."""
    from ..reader._problems import file_problem

    choices = ", ".join(REVIEW_CHOICES)
    return [
        file_problem(
            Code.WERT_UNGUELTIG,
            f"„{typed}“ in der Spalte Prüfung ist keine Entscheidung (möglich: {choices}); nicht übernommen.",
            where,
            Severity.WARNING,
            ags=ags,
            municipality=municipality.name if (municipality := registry.municipality(ags)) else None,
        )
        for ags, typed in sorted(refused.items())
    ]


def view_annotations(view: DistrictView) -> tuple[dict[str, Annotation], dict[str, int]]:
    """What the masters written from `view` show in the staff's columns, and the version each row's decision
    is about."""
    notes = shown({row.municipality.ags: row.annotation for row in view.rows})
    versions = {row.municipality.ags: row.review_version.id for row in view.rows if row.review_version is not None}
    return notes, versions


@dataclass
class GoogleMaster:
    """The Google master as read before the run builds its view: its layout, or why it could not be read."""

    spreadsheet_id: str
    meta: dict | None = None
    failure: EnvironmentFailure | None = None

    def complete(self, names: Sequence[str]) -> bool:
        """Whether every sheet Pakt writes is still there (staff may rename or delete a tab)."""
        titles = {s["properties"]["title"] for s in (self.meta or {}).get("sheets", [])}
        return set(names) <= titles


@dataclass
class Masters:
    """The masters of one run: where they go and what they showed before it."""

    registry: Registry
    store: StateStore
    master: Path
    access: FileAccess
    google: GoogleAccess | None
    google_master: GoogleMaster | None = None
    failures: list[EnvironmentFailure] = field(default_factory=list)
    refused: list[Finding] = field(default_factory=list)
    """Typed Prüfung texts that were no decision, for the Prüfbericht (their master is then rewritten)."""

    def take_xlsx_notes(self, stat_unchanged: bool, when) -> bool:
        """Take what the staff changed in the xlsx master into the store. False when the file is not a master."""
        if not self.master.exists():
            return False
        if stat_unchanged:
            return True
        typed = read_annotations(self.master)
        if typed is None:
            return False
        editor = last_editor(self.master) or MEDIUM_EDITORS[XLSX]
        with self.store.transaction():
            _, _, refused = self.store.take_annotations(typed, XLSX, when, self.registry.round.stichtag, editor)
        self.refused += refused_decisions(refused, self.registry, str(self.master))
        return True

    def read_google(self, when) -> None:
        """Read the Google master (layout, and the staff's changes) before the view is built."""
        target = self.registry.master.google_spreadsheet
        if target is None or self.google is None:
            return
        from ..google._errors import GOOGLE_FAILURES, google_unavailable
        from ._google_sheet import read_master

        self.google_master = GoogleMaster(target.spreadsheet_id)
        try:
            meta, typed = read_master(self.google, target.spreadsheet_id)
        except GOOGLE_FAILURES as error:
            failure = google_unavailable(error, "die Google-Übersicht lesen", "Sie wurde nicht aktualisiert.")
            self.google_master.failure = failure
            self.failures.append(failure)
            return
        self.google_master.meta = meta
        if typed:
            with self.store.transaction():
                _, _, refused = self.store.take_annotations(
                    typed, GOOGLE, when, self.registry.round.stichtag, MEDIUM_EDITORS[GOOGLE]
                )
            self.refused += refused_decisions(refused, self.registry, target.url)

    def current(self, medium: str, key: str, last_masters_key: str | None) -> bool:
        """Whether a medium already shows the view `key` and the store's notes."""
        notes = shown(self.store.annotations(self.registry.round.stichtag))
        written = {ags: a.notes() for ags, a in self.store.shown_annotations(medium).items()}
        return bool(key) and last_masters_key == key and notes == shown(written)

    def needs_google(self, key: str, last_masters_key: str | None, names: Sequence[str], full: bool) -> bool:
        google = self.google_master
        if google is None or google.meta is None:
            return False
        return full or not google.complete([*names, SHEET_CHARTS]) or not self.current(GOOGLE, key, last_masters_key)

    def write_xlsx(self, grids: Sequence[SheetGrid], view: DistrictView, stamp: RunStamp) -> Written | None:
        """The xlsx master; None (and a failure for the run) when it could not be written."""
        from ._xlsx import build_master

        try:
            data = build_master(grids, view, stamp, self.master.parent)
            written = write_master_bytes(self.master, data, self.access, self.registry.master.stale_lock_hours)
        except OSError as error:  # building spills rows to the machine's temporary folder
            self.failures.append(not_built(self.master, error))
            return None
        except MasterNotWritten as failure:
            self.failures.append(failure)
            return None
        failpoint("master-written")
        if not written.beside:
            with self.store.transaction():
                self.store.set_shown_annotations(XLSX, *view_annotations(view))
        return written

    def write_google(self, grids: Sequence[SheetGrid], view: DistrictView, stamp: RunStamp) -> bool:
        from ..google._errors import GOOGLE_FAILURES, google_unavailable
        from ._evaluation import evaluation
        from ._google_sheet import write_master as write_google_master

        google = self.google_master
        found = evaluation(view, grids[0], stamp)
        try:
            write_google_master(self.google, google.spreadsheet_id, grids, google.meta, found)
        except GOOGLE_FAILURES as error:
            self.failures.append(
                google_unavailable(error, "die Google-Übersicht schreiben", "Sie zeigt den alten Stand.")
            )
            return False
        failpoint("google-written")
        with self.store.transaction():
            self.store.set_shown_annotations(GOOGLE, *view_annotations(view))
        return True
