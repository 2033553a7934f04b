"""`pakt status`: the last run, where every municipality stands and whom `pakt remind` reminded last, from the
state store alone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pakt.schemas import counted, format_date, german_sort_key

from ._records import RunRecord
from ._reminder_log import ReminderSent, last_reminders
from ._store import StateStore

_RECEIVED_UNAPPROVED = frozenset({"eingegangen", "eingereicht", "verspätet", "überfällig", "nach Freigabe geändert"})


def _names(rows: list[dict]) -> str:
    return ", ".join(sorted((row["name"] for row in rows), key=german_sort_key))


def _last_run_line(last: RunRecord) -> str:
    counts = last.summary.counts if last.summary else None
    done = (
        f"{counts.read} gelesen, {counts.unchanged} unverändert, {counts.new_versions} neue Fassungen. "
        f"Übersicht: {last.master_path} ({counts.master_note})."
        if counts
        else f"Übersicht: {last.master_path}."
    )
    return (
        f"Letzter Abgleich Nr. {last.id}: {last.started_at:%d.%m.%Y %H:%M:%S} bis {last.finished_at:%H:%M:%S}, {done}"
    )


def _absent(row: dict) -> bool:
    """Nothing received (stores written before rounds kept only the status: "fehlt")."""
    return row.get("absent", row["status"] == "fehlt")


def completeness_lines(snapshot: dict[str, dict], deadline: date | None) -> list[str]:
    """Who has reported, who is missing, overdue, invalid, changed after approval or not yet approved."""
    rows = list(snapshot.values())
    missing = [r for r in rows if _absent(r) and r["status"] == "fehlt"]
    overdue = [r for r in rows if r["status"] == "überfällig"]
    invalid = [r for r in rows if r["status"] == "fehlerhaft"]
    changed = [r for r in rows if r["status"] == "nach Freigabe geändert"]
    rejected = [r for r in rows if r["status"] == "zurückgewiesen"]
    unapproved = [
        r for r in rows if r["status"] in _RECEIVED_UNAPPROVED and not _absent(r) and not r.get("approved", False)
    ]
    absent = sum(1 for r in rows if _absent(r))
    reported = len(rows) - absent
    lines = [
        f"{reported} von {counted(len(rows), 'Gemeinde', 'Gemeinden')} {'hat' if reported == 1 else 'haben'} gemeldet."
    ]
    verb = "fehlt" if len(missing) == 1 else "fehlen"
    lines.append(f"Es {verb} ({len(missing)}): {_names(missing)}." if missing else "Vor der Frist fehlt keine Meldung.")
    if overdue:
        since = f" (Abgabefrist {format_date(deadline)})" if deadline else ""
        lines.append(f"Überfällig{since} ({len(overdue)}): {_names(overdue)}.")
    if invalid:
        lines.append(f"Fehlerhaft ({len(invalid)}): {_names(invalid)}.")
    if changed:
        lines.append(f"Nach Freigabe geändert ({len(changed)}): {_names(changed)}.")
    if rejected:
        lines.append(f"Zurückgewiesen, Korrektur steht aus ({len(rejected)}): {_names(rejected)}.")
    if unapproved:
        lines.append(f"Noch nicht freigegeben ({len(unapproved)}): {_names(unapproved)}.")
    elif rows and absent < len(rows):
        lines.append(f"Alle {counted(len(rows) - absent, 'Meldung', 'Meldungen')} sind freigegeben.")
    return lines


def _round_of(snapshot: dict[str, dict]) -> date | None:
    """The round the last run showed (stores written before rounds do not say)."""
    day = next((row["round"] for row in snapshot.values() if row.get("round")), None)
    return date.fromisoformat(day) if day else None


def reminder_lines(reminders: dict[str, ReminderSent], snapshot: dict[str, dict], stichtag: date) -> list[str]:
    """The last reminder of each municipality in the round, by name."""
    if not reminders:
        return []
    names = {ags: row.get("name", ags) for ags, row in snapshot.items()}
    ordered = sorted(reminders.items(), key=lambda item: german_sort_key(names.get(item[0], item[0])))
    return [
        f"Letzte Erinnerungen zum Stichtag {format_date(stichtag)} ({len(reminders)}):",
        *(f"  {names.get(ags, ags)} ({ags}): {sent.describe()}" for ags, sent in ordered),
    ]


def status_report(state: Path, deadline: date | None = None) -> list[str]:
    """German lines about the last sync run and where the municipalities stand."""
    if not state.exists():
        return ["Noch kein Abgleich gelaufen. Bitte zuerst „pakt sync“ ausführen."]
    with StateStore(state) as store:
        runs = store.runs(20)
        last = next((r for r in runs if r.finished_at), None)
        snapshot = store.snapshot()
        stichtag = _round_of(snapshot)
        reminders = last_reminders(store, stichtag) if stichtag else {}
    lines: list[str] = []
    aborted = [r for r in runs if r.finished_at is None and (last is None or r.id > last.id)]
    if aborted:
        lines.append(f"Abgleich Nr. {aborted[0].id} vom {aborted[0].started_at:%d.%m.%Y %H:%M} wurde abgebrochen.")
    if last is None:
        return [*lines, "Noch kein Abgleich abgeschlossen."]
    reminded = reminder_lines(reminders, snapshot, stichtag) if stichtag else []
    return [*lines, _last_run_line(last), *completeness_lines(snapshot, deadline), *reminded]
