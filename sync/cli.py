"""The `pakt` command: a thin shell over library functions, German for the people who run it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from plugin import write_templates
from schemas import PaktError, Registry, Severity, load_registry

from ._validate_files import EXIT_UNREADABLE, ValidationReport, read_previous, validate_files

app = typer.Typer(
    name="pakt",
    help="Pakt für Integration: Meldungen der Gemeinden prüfen und im Landkreis zusammenführen.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)

DEFAULT_CONFIG = Path("pakt.toml")
ConfigOption = Annotated[
    Optional[Path], typer.Option("--config", "-c", help="Verzeichnis des Landkreises (pakt.toml).")
]


def _registry(config: Path | None, required: bool) -> Registry | None:
    """The registry from --config, or ./pakt.toml when present; None only when optional and absent."""
    if config is None and not DEFAULT_CONFIG.is_file():
        if required:
            raise PaktError("Keine Konfigurationsdatei gefunden. Bitte --config PFAD angeben oder pakt.toml anlegen.")
        return None
    return load_registry(config or DEFAULT_CONFIG)


@app.command()
def template(
    config: ConfigOption = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Zielordner der Meldemappen.")] = Path("vorlagen"),
) -> None:
    """Meldemappen erzeugen: eine vorausgefüllte Mappe je Gemeinde und eine leere Vorlage."""
    registry = _registry(config, required=True)
    written = write_templates(registry, out_dir)
    out.print(f"{len(written)} Meldemappen geschrieben nach {out_dir} ({len(written) - 1} Gemeinden und eine leere Vorlage).")


def _print_report(report: ValidationReport) -> None:
    for finding in report.findings:
        style = "red" if finding.severity is Severity.ERROR else "yellow"
        out.print(f"[{style}]{finding.line()}[/{style}]", markup=True)
    files = len(report.results)
    unreadable = sum(1 for r in report.results if r.unreadable)
    blocked = sum(1 for r in report.results if r.checked and r.checked.blocking)
    clean = files - unreadable - blocked
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    out.print(
        f"{_counted(files, 'Datei', 'Dateien')} geprüft: {clean} ohne Fehler, {blocked} mit Fehlern, "
        f"{unreadable} nicht lesbar; {errors} Fehler, {_counted(warnings, 'Warnung', 'Warnungen')}."
    )


def _counted(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Meldemappen (.xlsx), z. B. sample_workbooks/*.xlsx")],
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Befunde als JSON-Liste ausgeben.")] = False,
    previous: Annotated[
        Optional[list[Path]], typer.Option("--previous", help="Frühere Meldungen zum Vergleich (Sprung-Warnung).")
    ] = None,
) -> None:
    """Meldemappen prüfen. Exit 0: keine Fehler; 1: Fehler in einer Meldung; 2: Datei nicht lesbar."""
    registry = _registry(config, required=False)
    if registry is None and not as_json:
        err.print("Hinweis: keine pakt.toml gefunden; Gemeindeschlüssel werden nicht gegen das Verzeichnis geprüft.")
    report = validate_files(paths, registry, read_previous(previous or []))
    if as_json:
        out.print_json(json.dumps([f.as_json() for f in report.findings], ensure_ascii=False))
    else:
        _print_report(report)
    raise typer.Exit(report.exit_code)


def main() -> None:
    """Console entry point: every PaktError ends as a German message and exit code 2, never a traceback."""
    try:
        app()
    except PaktError as exc:
        err.print(f"Fehler: {exc}")
        raise SystemExit(EXIT_UNREADABLE) from None
