"""`pakt sync` for a state: run the roll-up and say what it found, in German (as the district's summary does)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pakt.schemas import Registry, Severity, counted, format_eur, format_number

from ._console import err, escape, out, print_json

if TYPE_CHECKING:
    from rich.table import Table

    from pakt.sync import StateSyncResult


def _summary_table(result: StateSyncResult, state: str) -> Table:
    from rich.table import Table

    figures = result.figures
    table = Table(title=escape(f"Abgleich Nr. {result.run_id} – {state}"), show_header=False)
    table.add_column("Größe")
    table.add_column("Wert", justify="right")
    rows = [
        ("Landkreise", str(figures.districts)),
        ("mit gültiger Übersicht", str(figures.received)),
        ("fehlend oder veraltet", str(figures.missing)),
        ("fehlerhaft", str(figures.invalid)),
        (
            "Gemeinden gemeldet",
            f"{format_number(figures.municipalities_reported)} von {format_number(figures.municipalities)}",
        ),
        ("Personen in Anschlussunterbringung", format_number(figures.persons)),
        ("Pro-Kopf-Pauschale", format_eur(figures.allowance_eur)),
        ("Integrationsmanager (VZÄ)", format_number(figures.im_fte, 2)),
        ("Übersichten gelesen / unverändert", f"{result.read} / {result.unchanged}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def _print(result: StateSyncResult, state: str) -> None:
    err.print(_summary_table(result, state))
    for problem in result.problems:
        if problem.severity is not Severity.NOTE:
            err.print(f"[yellow]{escape(problem.line())}[/yellow]")
    missing = result.missing_names
    if missing:
        err.print(
            f"Ohne Übersicht der laufenden Runde: {counted(len(missing), 'Landkreis', 'Landkreise')} "
            f"({', '.join(missing)}).",
            markup=False,
        )
    if result.master_written and result.master_note != "neu geschrieben":
        err.print(f"[yellow]{escape(result.master_note)}[/yellow]")
    for failure in result.failures:
        err.print(f"[red]Fehler: {escape(failure.message)}[/red]")
    state_of = "geschrieben" if result.master_written else "unverändert (nichts Neues)"
    if result.failures and not result.master_written:
        state_of = "nicht geschrieben"
    out.print(f"Übersicht des Landes {state_of}: {result.master}", markup=False)


def sync_state(registry: Registry, master: Path | None, full: bool, as_json: bool) -> int:
    """Run the state roll-up and print its summary (or the JSON object); returns the exit code."""
    from pakt.sync import StateSyncOptions, run_state_sync

    result = run_state_sync(registry, StateSyncOptions(master=master, full=full))
    if as_json:
        print_json(result.to_json())
        for failure in result.failures:
            err.print(f"Fehler: {failure.message}", markup=False)
    else:
        _print(result, registry.district.name)
    return result.exit_code
