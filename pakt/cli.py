"""The `pakt` command: a thin shell over library functions, German for the people who run it.

Each command parses its options and calls one library function of `pakt.sync`
or `pakt.plugin`; the package root is the only place that knows both.
"""

import contextlib
import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pakt.schemas import PaktError, counted  # light: pydantic and the models are imported by the commands

from ._console import err, escape, out, print_json
from ._german_cli import GermanCommand, GermanGroup, use_german_texts

if TYPE_CHECKING:
    from datetime import date

    from rich.table import Table

    from pakt.schemas import Registry

app = typer.Typer(
    name="pakt",
    help="Pakt für Integration: Meldungen der Gemeinden prüfen und im Landkreis zusammenführen.",
    cls=GermanGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
command = functools.partial(app.command, cls=GermanCommand)
use_german_texts()


DEFAULT_CONFIG = Path("pakt.toml")
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="Konfigurationsdatei des Landkreises (Voreinstellung: ./pakt.toml).", metavar="PFAD"
    ),
]
MasterOption = Annotated[
    Path | None,
    typer.Option("--master", "-m", help="Pfad der Übersicht (statt „path“ im Abschnitt [master]).", metavar="PFAD"),
]


def _registry(
    config: Path | None, required: bool
) -> "Registry | None":  # no __future__ annotations: typer reads the signatures at start-up
    """The registry from --config, or ./pakt.toml when present; None only when optional and absent."""
    if config is None and not DEFAULT_CONFIG.is_file():
        if required:
            raise PaktError("Keine Konfigurationsdatei gefunden. Bitte --config PFAD angeben oder pakt.toml anlegen.")
        return None
    from pakt.schemas import load_registry

    return load_registry(config or DEFAULT_CONFIG)


# -- pakt template ----------------------------------------------------------------------------------

GOOGLE_STEPS = """So entsteht die Google-Fassung einer Meldemappe:
1. In Google Drive die Mappe hochladen und mit „Öffnen mit › Google Tabellen“ in das Google-Format umwandeln
   (oder in Drive unter Einstellungen „Hochgeladene Dateien konvertieren“ einschalten).
   Die benannten Bereiche (pakt_…, auch pakt_staff für die Integrationsmanager) und die Auswahllisten
   werden dabei übernommen; bitte unter „Daten › Benannte Bereiche“ kurz prüfen.
2. Die Tabelle für das Dienstkonto von Pakt freigeben ({account}), Rolle „Betrachter“ genügt.
3. Die Adresse der Tabelle in pakt.toml bei der Gemeinde eintragen: workbook = "https://docs.google.com/spreadsheets/d/…".
4. Für Prüfen und Einreichen in Google Sheets: „Erweiterungen › Apps Script“, die Skriptdateien aus „pakt appsscript“
   einfügen und Pruefen.html mit „+ › HTML“ als Datei „Pruefen“ anlegen (die Seitenleiste der Prüfergebnisse).
Der Excel-Blattschutz wird beim Umwandeln nicht in jedem Fall übernommen: wer Eingaben strenger schützen will,
legt unter „Daten › Geschützte Tabellen und Bereiche“ fest, wer was bearbeiten darf."""


@command()
def template(
    config: ConfigOption = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Zielordner der Meldemappen.", metavar="ORDNER")] = Path(
        "vorlagen"
    ),
    google: Annotated[
        bool, typer.Option("--google", help="Zusätzlich beschreiben, wie die Google-Fassung entsteht.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Leere Vorlagen von Pakt im Zielordner ersetzen (ausgefüllte Mappen nie).")
    ] = False,
    file_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Alle Mappen als xlsx (Excel) oder ods (LibreOffice); ohne die Angabe wie in pakt.toml "
            "festgelegt (format bei der Gemeinde, sonst [templates] format, sonst xlsx).",
            metavar="FORMAT",
        ),
    ] = None,
) -> None:
    """Meldemappen erzeugen: eine vorausgefüllte Mappe je Gemeinde und eine leere Vorlage.

    Eine Mappe, die schon im Zielordner liegt, wird nie überschrieben (mit --force nur leere Vorlagen von Pakt).
    """
    from pakt.plugin import write_templates
    from pakt.schemas import TemplateFormat

    from ._templates import blank_pakt_template

    chosen = None
    if file_format is not None:
        try:
            chosen = TemplateFormat(file_format.strip().lower().lstrip("."))
        except ValueError:
            raise PaktError(
                f"--format {file_format}: dieses Format schreibt Pakt nicht. Möglich sind xlsx (Excel) und ods "
                "(LibreOffice)."
            ) from None
    registry = _registry(config, required=True)
    written = write_templates(registry, out_dir, blank_pakt_template if force else None, fmt=chosen)
    out.print(
        f"{counted(len(written), 'Meldemappe', 'Meldemappen')} geschrieben nach {out_dir} "
        f"({counted(len(written) - 1, 'Gemeinde', 'Gemeinden')} und eine leere Vorlage).",
        markup=False,
    )
    if google:
        from pakt.sync import service_account_email

        account = service_account_email(registry) or "Adresse aus der Schlüsseldatei, client_email"
        out.print(GOOGLE_STEPS.format(account=account), markup=False)


# -- pakt validate ----------------------------------------------------------------------------------


def _print_report(report) -> None:
    from pakt.schemas import Severity

    for finding in report.findings:
        style = "red" if finding.severity is Severity.ERROR else "yellow"
        out.print(f"[{style}]{escape(finding.line())}[/{style}]")
    files = len(report.results)
    unreadable = sum(1 for r in report.results if r.unreadable)
    blocked = sum(1 for r in report.results if r.checked and r.checked.blocking)
    clean = files - unreadable - blocked
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    out.print(
        f"{counted(files, 'Datei', 'Dateien')} geprüft: {clean} ohne Fehler, {blocked} mit Fehlern, "
        f"{unreadable} nicht lesbar; {errors} Fehler, {counted(warnings, 'Warnung', 'Warnungen')}.",
        markup=False,
    )


@command()
def validate(
    paths: Annotated[
        list[Path], typer.Argument(help="Meldemappen (.xlsx), z. B. sample_workbooks/*.xlsx", metavar="MAPPE")
    ],
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Befunde als JSON-Liste ausgeben.")] = False,
    previous: Annotated[
        list[Path] | None,
        typer.Option("--previous", help="Frühere Meldungen zum Vergleich (Sprung-Warnung).", metavar="MAPPE"),
    ] = None,
) -> None:
    """Meldemappen prüfen. Exit 0: keine Fehler; 1: Fehler in einer Meldung; 2: Datei nicht lesbar."""
    from pakt.sync import read_previous, validate_files

    registry = _registry(config, required=False)
    if registry is None and not as_json:
        err.print("Hinweis: keine pakt.toml gefunden; Gemeindeschlüssel werden nicht gegen das Verzeichnis geprüft.")
    report = validate_files(paths, registry, read_previous(previous or []))
    if as_json:
        print_json([f.as_json() for f in report.findings])
    else:
        _print_report(report)
    raise typer.Exit(report.exit_code)


# -- pakt sync, pakt status -------------------------------------------------------------------------


def _summary_table(result, district: str) -> "Table":
    from rich.table import Table

    from pakt.schemas import format_eur, format_number

    figures = result.figures
    table = Table(title=escape(f"Abgleich Nr. {result.run_id} – {district}"), show_header=False)
    table.add_column("Größe")
    table.add_column("Wert", justify="right")
    rows = [
        ("Gemeinden", str(figures.municipalities)),
        ("mit gültiger Meldung", str(figures.received)),
        ("fehlend", str(figures.missing)),
        ("fehlerhaft", str(figures.invalid)),
        ("Personen in Anschlussunterbringung", format_number(figures.persons)),
        ("Pro-Kopf-Pauschale", format_eur(figures.allowance_eur)),
        ("Integrationsmanager", f"{figures.im_heads} auf {format_number(figures.im_fte, 2)} VZÄ"),
        ("Integrationsmanagement selbst organisiert", counted(figures.self_managed, "Gemeinde", "Gemeinden")),
        ("Dateien gelesen / unverändert", f"{result.read} / {result.unchanged}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def _print_sync(result, district: str) -> None:
    from pakt.schemas import Severity

    err.print(_summary_table(result, district))
    for problem in result.problems:
        if problem.severity is not Severity.NOTE:
            err.print(f"[yellow]{escape(problem.line())}[/yellow]")
    missing = result.missing_names
    if missing:
        err.print(
            f"Es {'fehlt' if len(missing) == 1 else 'fehlen'} {counted(len(missing), 'Meldung', 'Meldungen')}: "
            f"{', '.join(missing)}.",
            markup=False,
        )
    if result.master_written and result.master_note not in ("neu geschrieben", "unverändert"):
        err.print(f"[yellow]{escape(result.master_note)}[/yellow]")
    if result.google is not None:
        google = result.google
        err.print(
            f"Google: {counted(google.drive, 'Drive-Abfrage', 'Drive-Abfragen')}, "
            f"{counted(google.sheets_read, 'Lesezugriff', 'Lesezugriffe')}, "
            f"{counted(google.sheets_write, 'Schreibzugriff', 'Schreibzugriffe')}, "
            f"{counted(google.retries, 'Wiederholung', 'Wiederholungen')}."
        )
    for warning in result.warnings:
        err.print(f"[yellow]Warnung: {escape(warning)}[/yellow]")
    for failure in result.failures:
        err.print(f"[red]Fehler: {escape(failure.message)}[/red]")
    state = "geschrieben" if result.master_written else "unverändert (nichts Neues)"
    if result.failures and not result.master_written:
        state = "nicht geschrieben"
    out.print(f"Übersicht {state}: {result.master}", markup=False)


def _progress_bar(disable: bool) -> Any:
    # No refresh thread: the files are read in forked worker processes, and forking a process that runs other
    # threads is unsafe; the bar is redrawn as files are done instead.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("Meldungen lesen"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    return Progress(*columns, console=err.real(), transient=True, disable=disable, auto_refresh=False)


@command()
def sync(
    config: ConfigOption = None,
    master: MasterOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Zusammenfassung als JSON ausgeben.")] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Alle Dateien neu lesen, Fingerabdrücke nicht beachten.")
    ] = False,
) -> None:
    """Alle Meldungen der Gemeinden einlesen und die Übersicht des Landkreises neu schreiben (für ein Land mit
    [[districts]]: die Übersichten der Landkreise zur Übersicht des Landes)."""
    from pakt.sync import SyncOptions, run_sync

    registry = _registry(config, required=True)
    if registry.is_state:  # the state roll-up of the districts' masters (pakt/_state_cli.py)
        from ._state_cli import sync_state

        raise typer.Exit(sync_state(registry, master, full, as_json))
    with contextlib.ExitStack() as shown:
        bar: list[Any] = []

        def advance(done: int, total: int) -> None:
            if not bar:  # the bar (and Rich's progress module) only when there is something to read
                progress = shown.enter_context(_progress_bar(disable=as_json))
                bar.extend([progress, progress.add_task("lesen", total=total)])
            bar[0].update(bar[1], completed=done, total=total)
            if done == total or done % 25 == 0:
                bar[0].refresh()

        result = run_sync(registry, SyncOptions(master=master, full=full, progress=advance))
    if as_json:
        print_json(result.to_json())
        for failure in result.failures:
            err.print(f"Fehler: {failure.message}", markup=False)
    else:
        _print_sync(result, registry.district.name)
    raise typer.Exit(result.exit_code)


@command()
def status(config: ConfigOption = None, master: MasterOption = None) -> None:
    """Den letzten Abgleich zeigen: wer fehlt, überfällig, fehlerhaft oder noch nicht freigegeben ist (ohne
    Dateien zu lesen)."""
    from pakt.sync import master_path, state_path, status_report

    registry = _registry(config, required=True)
    for line in status_report(state_path(registry, master_path(registry, master)), registry.round.deadline):
        out.print(line, markup=False)


# -- pakt round start -------------------------------------------------------------------------------

round_app = typer.Typer(
    help="Berichtsrunden: die laufende Runde abschließen, die nächste beginnen.",
    cls=GermanGroup,
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(round_app, name="round")


def _day(text: str, option: str) -> "date":
    """A date as district staff type it: 30.06.2019 or 2019-06-30 (PaktError, German and exit 2, otherwise:
    raised in the command, a usage error would not pass through the German usage texts)."""
    from datetime import datetime

    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise PaktError(f"{option}: „{text}“ ist kein Datum (TT.MM.JJJJ).")


@round_app.command("start", cls=GermanCommand)
def round_start(
    stichtag: Annotated[
        str, typer.Option("--stichtag", help="Stichtag der neuen Runde (TT.MM.JJJJ).", metavar="DATUM")
    ],
    deadline: Annotated[
        str | None, typer.Option("--deadline", help="Abgabefrist der neuen Runde (TT.MM.JJJJ).", metavar="DATUM")
    ] = None,
    rules: Annotated[
        str | None,
        typer.Option("--rules", help="Regeln der neuen Runde (Voreinstellung: die der laufenden).", metavar="REGELN"),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Zielordner der Meldemappen (Voreinstellung: vorlagen/STICHTAG).", metavar="ORDNER"
        ),
    ] = None,
    keep_open: Annotated[
        bool,
        typer.Option(
            "--keep-open",
            help="Auch mit offenen Posten beginnen (nicht entschiedene Meldungen, nicht angewiesene Beträge); sie "
            "bleiben mit --stichtag abrechenbar.",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Die nächste Berichtsrunde beginnen.

    Die Übersicht der laufenden Runde bleibt unter ihrem Stichtag erhalten, die neuen Meldemappen (mit dem
    Stichtag im Namen, Ansprechperson und Integrationsmanager aus der letzten Meldung übernommen) werden in
    einen eigenen Ordner geschrieben, und pakt.toml führt die laufende Runde unter [[rounds]] weiter.
    """
    from pakt.schemas import ReportingRound, format_date

    from ._rounds import start_round

    registry = _registry(config, required=True)
    new = ReportingRound(
        stichtag=_day(stichtag, "--stichtag"),
        deadline=_day(deadline, "--deadline") if deadline else None,
        rules=rules or registry.round.rules,
    )
    started = start_round(config or DEFAULT_CONFIG, registry, new, out_dir, keep_open)
    out.print(
        f"Runde zum Stichtag {format_date(started.ending.stichtag)} abgeschlossen; neue Runde zum Stichtag "
        f"{format_date(new.stichtag)}" + (f", Abgabefrist {format_date(new.deadline)}." if new.deadline else "."),
        markup=False,
    )
    if started.left_open is not None and not started.left_open.empty:
        day = format_date(started.ending.stichtag)
        out.print(f"Offen bleiben in der Runde zum Stichtag {day} (abrechenbar mit --stichtag {day}):", markup=False)
        for line in started.left_open.lines():
            out.print(f"  {line}", markup=False)
    if started.archived_master is not None:
        out.print(f"Übersicht der abgeschlossenen Runde aufbewahrt: {started.archived_master}", markup=False)
    out.print(
        f"{counted(len(started.forms), 'Meldemappe', 'Meldemappen')} geschrieben nach {started.forms[0].parent} "
        f"({counted(started.carried_over, 'Mappe', 'Mappen')} mit Angaben aus der letzten Meldung).",
        markup=False,
    )
    opened = started.opened
    if opened is not None:
        out.print(
            f"Übersicht der neuen Runde {'geschrieben' if opened.master_written else 'unverändert'}: {opened.master}",
            markup=False,
        )
        for failure in opened.failures:
            err.print(f"Fehler: {failure.message}", markup=False)
        if opened.exit_code:
            raise typer.Exit(opened.exit_code)


# -- pakt approve, pakt history ---------------------------------------------------------------------


@command()
def approve(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Gemeinden: Name oder Gemeindeschlüssel, eine oder mehrere.", metavar="GEMEINDE"),
    ] = None,
    config: ConfigOption = None,
    master: MasterOption = None,
    decision: Annotated[
        str,
        typer.Option("--decision", "-d", help="geprüft, freigegeben oder zurückgewiesen.", metavar="ENTSCHEIDUNG"),
    ] = "freigegeben",
    reason: Annotated[
        str, typer.Option("--reason", "-r", help="Grund (bei „zurückgewiesen“ nötig).", metavar="TEXT")
    ] = "",
    by: Annotated[
        str | None, typer.Option("--by", help="Wer entscheidet (Voreinstellung: der Benutzername).", metavar="NAME")
    ] = None,
    every: Annotated[
        bool,
        typer.Option(
            "--all", help="Alle gültigen Meldungen, die die Übersicht zur Prüfung zeigt und die noch offen sind."
        ),
    ] = False,
    stichtag: Annotated[
        str | None,
        typer.Option("--stichtag", help="Eine frühere Runde (TT.MM.JJJJ); sonst die laufende.", metavar="DATUM"),
    ] = None,
) -> None:
    """Meldungen prüfen, freigeben oder zurückweisen: erst abgleichen, dann entscheiden, dann die Übersicht schreiben.

    Entschieden wird über die neueste gültige Fassung der Runde (nach dem Einlesen). Jede Gemeinde wird für
    sich entschieden: eine ohne gültige Meldung wird genannt, die übrigen werden entschieden (Exit 1). Eine
    freigegebene Fassung ist eingefroren: spätere Änderungen zählen erst nach einer neuen Freigabe.
    """
    import getpass
    from datetime import datetime

    from pakt.schemas import format_date
    from pakt.sync import ApproveRequest, SyncOptions
    from pakt.sync import approve as approve_municipalities

    registry = _registry(config, required=True)
    request = ApproveRequest(
        tuple(names or ()), decision, reason, by or getpass.getuser(), datetime.now(), every,
        _day(stichtag, "--stichtag") if stichtag else None,
    )  # fmt: skip
    done = approve_municipalities(registry, request, SyncOptions(master=master))
    for item in done.decided:
        version = item.version
        new = " – neu eingelesen, in der letzten Übersicht noch nicht gezeigt" if item.new_since_master else ""
        out.print(
            f"{item.decision.decision.capitalize()}: {item.municipality.name} ({item.municipality.ags}), "
            f"Fassung {version.id} vom {format_date(version.seen_at.date())} ({Path(version.path).name}){new}.",
            markup=False,
        )
    for item in done.not_decided:
        err.print(
            f"Nicht entschieden: {item.municipality.name} ({item.municipality.ags}): {item.reason}.", markup=False
        )
    if not done.decided and not done.not_decided:
        out.print("Keine offene Meldung zu entscheiden.", markup=False)
    result = done.run
    out.print(f"Übersicht {'geschrieben' if result.master_written else 'unverändert'}: {result.master}", markup=False)
    for failure in result.failures:
        err.print(f"Fehler: {failure.message}", markup=False)
    raise typer.Exit(done.exit_code)


def _history_line(line) -> str:
    from pakt.schemas import format_date

    version = line.version
    parts = [
        f"Fassung {version.id}",
        f"Stichtag {format_date(version.stichtag)}" if version.stichtag else "ohne Stichtag",
        f"gelesen {version.seen_at:%d.%m.%Y %H:%M}",
        line.file,
        line.state,
    ]
    if line.decision is not None:
        parts.append(line.decision.describe())
    if line.in_totals:
        parts.append("in der Übersicht")
    return " · ".join(parts)


@command()
def history(
    ags: Annotated[str, typer.Argument(help="Gemeindeschlüssel (achtstellig).", metavar="AGS")],
    config: ConfigOption = None,
    master: MasterOption = None,
    diff: Annotated[
        tuple[int, int] | None,
        typer.Option("--diff", help="Zwei Fassungen vergleichen, Feld für Feld.", metavar="ALT NEU"),
    ] = None,
) -> None:
    """Die Fassungen einer Gemeinde zeigen (wann gelesen, Datei, Zustand, Entscheidung) oder zwei vergleichen."""
    from pakt.sync import master_path, state_path, version_diff, version_history

    registry = _registry(config, required=True)
    state = state_path(registry, master_path(registry, master))
    if diff:
        changes = version_diff(registry, state, ags, *diff)
        for change in changes:
            out.print(change.line(), markup=False)
        if not changes:
            out.print(f"Die Fassungen {diff[0]} und {diff[1]} stimmen in allen Feldern überein.", markup=False)
        return
    municipality, lines = version_history(registry, state, ags)
    if not lines:
        out.print(f"Von {municipality.name} ({municipality.ags}) ist noch keine Fassung gespeichert.", markup=False)
        return
    out.print(f"Fassungen von {municipality.name} ({municipality.ags}), älteste zuerst:", markup=False)
    for line in lines:
        out.print(_history_line(line), markup=False)


# -- pakt payments ----------------------------------------------------------------------------------


@command()
def payments(
    config: ConfigOption = None,
    master: MasterOption = None,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Zahlungsliste (CSV; daneben .xlsx) für die Kasse; wird nie überschrieben.",
            metavar="DATEI",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Nur zeigen, was angewiesen würde; nichts schreiben, nichts vermerken.")
    ] = False,
    stichtag: Annotated[
        str | None,
        typer.Option("--stichtag", help="Offene Zeilen einer früheren Runde anweisen (TT.MM.JJJJ).", metavar="DATUM"),
    ] = None,
    faellig: Annotated[
        str | None,
        typer.Option("--faellig", help="Fälligkeit eines Nachtrags (TT.MM.JJJJ).", metavar="DATUM"),
    ] = None,
) -> None:
    """Die Zahlungsliste der nächsten Auszahlung schreiben (CSV und xlsx für die Kasse) und als angewiesen vermerken.

    In die Liste kommen nur freigegebene Meldungen. Die Liste wird vermerkt, bevor ihre Dateien geschrieben
    werden: bricht der Befehl ab, schreibt der nächste Aufruf dieselbe Liste noch einmal, nie eine zweite. Was
    angewiesen ist, bleibt so: eine spätere Korrektur erscheint als Nachzahlung oder Rückforderung.
    """  # fmt: skip
    from pakt.schemas import format_date, format_eur
    from pakt.sync import SyncOptions, write_payment_list

    registry = _registry(config, required=True)
    if out_file is None and not dry_run:
        raise PaktError("Bitte mit --out DATEI angeben, wohin die Zahlungsliste geschrieben wird (oder --dry-run).")
    written = write_payment_list(
        registry, None if dry_run else out_file, SyncOptions(master=master),
        _day(stichtag, "--stichtag") if stichtag else None, _day(faellig, "--faellig") if faellig else None,
    )  # fmt: skip
    for line in written.lines:
        due = format_date(line.due) if line.due else "ohne Termin"
        out.print(f"{line.ags}  {line.name:<28} {format_eur(line.amount):>16}  {line.kind:<13} {due}", markup=False)
    what = f"„{written.tranche}“: {counted(len(written.lines), 'Zahlung', 'Zahlungen')}, {format_eur(written.total)}"
    if written.path is None:
        out.print(f"Probelauf {what}; nichts geschrieben, nichts vermerkt.", markup=False)
    elif written.already:
        out.print(f"Die Zahlungsliste {what} ist bereits ausgestellt ({written.path}); nichts geändert.", markup=False)
    elif written.resumed:
        out.print(
            f"Die Zahlungsliste {what} war schon vermerkt, ihre Dateien fehlten; jetzt geschrieben (dieselben "
            f"Zeilen, derselbe Name): {', '.join(str(path) for path in written.files)}. Es wurde keine neue Liste "
            "ausgestellt; für die nächste bitte erneut aufrufen.",
            markup=False,
        )
    else:
        files = ", ".join(str(path) for path in written.files)
        out.print(f"Zahlungsliste {what} geschrieben nach {files} und als angewiesen vermerkt.", markup=False)
    if written.not_transferred:
        names = ", ".join(dict.fromkeys(line.name for line in written.not_transferred))
        err.print(
            f"Nicht in der SEPA-Datei (Rückforderung oder ohne IBAN), bitte gesondert abwickeln: {names}.", markup=False
        )
    if written.withheld:
        names = written.withheld_names
        shown = ", ".join(names[:10])
        more = f" und {len(names) - 10} weitere" if len(names) > 10 else ""
        err.print(
            f"Nicht in der Liste, weil nicht freigegeben ({len(names)}): {shown}{more}. "
            "Sie werden mit der nächsten Auszahlung nachgezahlt, sobald sie freigegeben sind.",
            markup=False,
        )


# -- pakt token -------------------------------------------------------------------------------------

token_app = typer.Typer(
    help="Zugangsschlüssel für den Pakt-Server verwalten.", cls=GermanGroup, no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(token_app, name="token")
token_command = functools.partial(token_app.command, cls=GermanCommand)


def _token_store(config: Path | None):
    from ._server import token_store

    registry = _registry(config, required=True)
    return registry, token_store(registry)


@token_command("issue")
def token_issue(
    config: ConfigOption = None,
    ags: Annotated[
        str | None, typer.Option("--ags", help="Schlüssel für diese Gemeinde (achtstelliger AGS).", metavar="AGS")
    ] = None,
    district: Annotated[
        bool, typer.Option("--district", help="Schlüssel für das Landratsamt (darf aktualisieren).")
    ] = False,
) -> None:
    """Einen Zugangsschlüssel ausgeben (wird nur einmal angezeigt)."""
    from pakt.plugin import Role

    registry, store = _token_store(config)
    if district == (ags is not None):
        raise PaktError("Bitte genau eines angeben: --ags GEMEINDESCHLÜSSEL oder --district.")
    if ags is not None:
        municipality = registry.municipality(ags)
        if municipality is None:
            raise PaktError(f"Gemeindeschlüssel {ags} steht nicht im Gemeindeverzeichnis.")
        token = store.issue(Role.GEMEINDE, municipality.name, municipality.ags)
        who = f"{municipality.name} ({municipality.ags})"
    else:
        token = store.issue(Role.LANDKREIS, registry.district.name)
        who = registry.district.name
    err.print(f"Zugangsschlüssel für {who} (nur jetzt sichtbar, bitte sicher übermitteln):", markup=False)
    out.print(token, markup=False)


@token_command("list")
def token_list(config: ConfigOption = None) -> None:
    """Ausgegebene Zugangsschlüssel zeigen (ohne die Schlüssel selbst)."""
    _, store = _token_store(config)
    for token_id, role, ags, label, issued, revoked in store.listing():
        state = f"gesperrt am {revoked}" if revoked else "gültig"
        out.print(f"{token_id:>4}  {role:<9}  {ags or '-':<8}  {label}  ausgegeben {issued}  {state}", markup=False)


@token_command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="Nummer aus „pakt token list“.", metavar="NUMMER")],
    config: ConfigOption = None,
) -> None:
    """Einen Zugangsschlüssel sperren."""
    _, store = _token_store(config)
    if not store.revoke(token_id):
        raise PaktError(f"Kein gültiger Zugangsschlüssel mit der Nummer {token_id}.")
    out.print(f"Zugangsschlüssel {token_id} gesperrt.")


# -- pakt serve, pakt appsscript --------------------------------------------------------------------


@command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str, typer.Option(help="Adresse, an der der Server lauscht.", metavar="ADRESSE")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", metavar="PORT")] = 8000,
    public_url: Annotated[
        str | None,
        typer.Option("--public-url", help="Öffentliche HTTPS-Adresse (für Manifest und Formeln).", metavar="URL"),
    ] = None,
    workers: Annotated[int, typer.Option(help="Prozesse des Servers (einer je Kern).", metavar="ANZAHL")] = 1,
) -> None:
    """Den Add-in-Server für Excel und Google Sheets starten."""
    import os

    import uvicorn

    from pakt.plugin import check_public_url

    from ._server import CONFIG_VARIABLE, URL_VARIABLE

    registry, _ = _token_store(config)
    base = check_public_url(public_url or f"http://{host}:{port}")
    os.environ[CONFIG_VARIABLE] = str((config or DEFAULT_CONFIG).resolve())
    os.environ[URL_VARIABLE] = base
    err.print(f"Pakt-Server für {registry.district.name}: {base}/manifest.xml", markup=False)
    uvicorn.run(
        "pakt._server:app_from_environment", factory=True, host=host, port=port, workers=workers, log_level="warning"
    )


@command()
def appsscript(
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Zielordner der Apps-Script-Dateien.", metavar="ORDNER")
    ] = Path("appsscript"),
) -> None:
    """Die Apps-Script-Dateien für Google Sheets schreiben (Menü Pakt und die Pakt-Formeln)."""
    from pakt.plugin import export_appsscript

    written = export_appsscript(out_dir)
    out.print(
        f"{counted(len(written), 'Datei', 'Dateien')} geschrieben nach {out_dir}: "
        + ", ".join(p.name for p in written),
        markup=False,
    )


# -- pakt extension ---------------------------------------------------------------------------------


@command()
def extension(
    target: Annotated[
        Path, typer.Option("--out", "-o", help="Die Datei der Erweiterung (.oxt).", metavar="DATEI")
    ] = Path("Pakt.oxt"),
    server: Annotated[
        str | None,
        typer.Option(
            "--server", help="Adresse des Pakt-Servers, die die Erweiterung voreinstellt (https://…).", metavar="URL"
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Die LibreOffice-Erweiterung bauen: Menü und Symbolleiste „Pakt“ mit Prüfen und Einreichen in Calc.

    Mit --server ist die Adresse des Pakt-Servers voreingestellt; die Gemeinden tragen dann nur noch ihren
    Zugangsschlüssel ein (Pakt › Zugang einrichten …). Installieren: Extras › Extension Manager › Hinzufügen,
    oder „unopkg add Pakt.oxt“.
    """
    from pakt import __version__
    from pakt.plugin import build_extension

    registry = _registry(config, required=False)
    build_extension(target, server, registry.district.name if registry else None, __version__)
    preset = f"Pakt-Server {server.rstrip('/')}" if server else "ohne Pakt-Server (die Gemeinden tragen ihn ein)"
    out.print(
        f"LibreOffice-Erweiterung geschrieben: {target} ({preset}). Installieren mit Extras › Extension Manager › "
        f"Hinzufügen oder „unopkg add {target.name}“.",
        markup=False,
    )


# -- pakt remind ------------------------------------------------------------------------------------


@command()
def remind(
    config: ConfigOption = None,
    master: MasterOption = None,
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Zielordner der .eml-Dateien (ohne Mailserver).", metavar="ORDNER")
    ] = Path("erinnerungen"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Erinnerungen nur verfassen und zeigen, nichts schreiben oder senden.")
    ] = False,
    ags: Annotated[
        str | None, typer.Option("--ags", help="Nur diese Gemeinde erinnern (achtstelliger AGS).", metavar="AGS")
    ] = None,
    again: Annotated[
        bool,
        typer.Option(
            "--again", help="Auch erinnern, wer vor weniger als repeat_days Tagen aus demselben Grund erinnert wurde."
        ),
    ] = False,
) -> None:
    """Gemeinden erinnern, deren Meldung fehlt, überfällig, fehlerhaft oder zurückgewiesen ist: je Gemeinde eine
    E-Mail.

    Zuerst läuft ein Abgleich. Ohne Mailserver (Abschnitt [mail], smtp_host) werden die Erinnerungen als
    .eml-Dateien geschrieben, sonst über STARTTLS versandt. Jede Erinnerung wird im Zustandsspeicher vermerkt;
    wer in dieser Runde vor weniger als repeat_days Tagen (Abschnitt [mail], Voreinstellung 7) aus demselben
    Grund erinnert wurde, wird nur mit --again erneut erinnert. Exit 0: alles erledigt; 1: Gemeinden ohne
    Adresse oder abgelehnte Empfänger (die übrigen sind erledigt); 2: Konfiguration; 7: Mailserver nicht
    nutzbar (4: eine Erinnerung ließ sich nicht im Zustandsspeicher vermerken); sonst der Code des Abgleichs
    davor oder danach, 3 bis 7 (3 Übersicht nicht geschrieben, 4 Zustandsspeicher, 5 Google, 6 ein anderer
    Abgleich läuft, 7 Störung der Maschine). Endete der Abgleich davor mit 3 oder 5, sind die Erinnerungen
    trotzdem erledigt; konnte er gar nicht laufen, wird niemand erinnert. Der Abgleich danach trägt die
    Erinnerungen in die Übersicht ein (Spalte Erinnert am).
    """
    from pakt.sync import RemindOptions
    from pakt.sync import remind as remind_municipalities

    registry = _registry(config, required=True)
    options = RemindOptions(out=out_dir, dry_run=dry_run, ags=ags, master=master, again=again)
    result = remind_municipalities(registry, options)
    for line in result.lines():
        out.print(line, markup=False)
    if result.failure is not None:
        err.print(f"Fehler: {result.failure.message}", markup=False)
    raise typer.Exit(result.exit_code)


def main() -> None:
    """Console entry point: usage errors and every failure end as a German message and a documented exit code
    (docs/betrieb.md, Exit-Codes), never a traceback."""
    from pakt.schemas import EnvironmentFailure, describe_os_error

    # Pakt uses no pydantic plugins; without this pydantic looks for them in the entry points of every installed
    # distribution before it builds the first model (documented as PYDANTIC_DISABLE_PLUGINS).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        app()
    except PaktError as exc:
        err.print(f"Fehler: {exc}", markup=False)
        raise SystemExit(exc.exit_code) from None
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        err.print(
            f"Fehler: {describe_os_error(exc)}{where}. Bitte Datenträger, Rechte und Netzwerk prüfen.", markup=False
        )
        raise SystemExit(EnvironmentFailure.exit_code) from None
    except KeyboardInterrupt:
        err.print("Abgebrochen. Der nächste Abgleich setzt fort, was dieser gelesen hat.")
        raise SystemExit(130) from None
