"""`pakt status`: the last run and who is missing, from the state store alone."""

from __future__ import annotations

from pathlib import Path

from ._store import StateStore


def status_report(state: Path) -> list[str]:
    """German lines about the last sync run and the municipalities still missing or broken."""
    if not state.exists():
        return ["Noch kein Abgleich gelaufen. Bitte zuerst „pakt sync“ ausführen."]
    with StateStore(state) as store:
        runs = store.runs(20)
        last = next((r for r in runs if r.finished_at), None)
        snapshot = store.snapshot()
    lines: list[str] = []
    aborted = [r for r in runs if r.finished_at is None and (last is None or r.id > last.id)]
    if aborted:
        lines.append(f"Abgleich Nr. {aborted[0].id} vom {aborted[0].started_at:%d.%m.%Y %H:%M} wurde abgebrochen.")
    if last is None:
        return [*lines, "Noch kein Abgleich abgeschlossen."]
    counts = last.summary.counts if last.summary else None
    done = (
        f"{counts.read} gelesen, {counts.unchanged} unverändert, {counts.new_versions} neue Fassungen. "
        f"Übersicht: {last.master_path} ({counts.master_note})."
        if counts
        else f"Übersicht: {last.master_path}."
    )
    lines.append(
        f"Letzter Abgleich Nr. {last.id}: {last.started_at:%d.%m.%Y %H:%M:%S} bis {last.finished_at:%H:%M:%S}, {done}"
    )
    missing = sorted(row["name"] for row in snapshot.values() if row["status"] == "fehlt")
    broken = sorted(row["name"] for row in snapshot.values() if row["status"] == "fehlerhaft")
    lines.append(f"{len(snapshot) - len(missing)} von {len(snapshot)} Gemeinden haben gemeldet.")
    lines.append(f"Es fehlen ({len(missing)}): {', '.join(missing)}." if missing else "Es fehlt keine Meldung.")
    if broken:
        lines.append(f"Fehlerhaft ({len(broken)}): {', '.join(broken)}.")
    return lines
