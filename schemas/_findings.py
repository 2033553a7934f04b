"""Findings: what validation says about a submission, as data.

A finding is never an exception: validation collects all of them so a clerk
sees every problem at once. Each carries a code, a severity, a German message
and the sheet and A1 cell it refers to.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict


class Severity(enum.StrEnum):
    """Fehler block a submission; Warnungen ask for a second look."""

    ERROR = "Fehler"
    WARNING = "Warnung"
    NOTE = "Hinweis"


class Code(enum.StrEnum):
    """Every finding Pakt can report, with its German meaning in `describe`."""

    PFLICHTFELD = "PFLICHTFELD"
    TYP = "TYP"
    AUSWAHL = "AUSWAHL"
    ZAHL_NEGATIV = "ZAHL_NEGATIV"
    BETRAG_NEGATIV = "BETRAG_NEGATIV"
    VZA_BEREICH = "VZA_BEREICH"
    WERT_UNGUELTIG = "WERT_UNGUELTIG"
    SUMME_ALTERSGRUPPEN = "SUMME_ALTERSGRUPPEN"
    AGS_UNBEKANNT = "AGS_UNBEKANNT"
    AGS_BINDUNG = "AGS_BINDUNG"
    DATUM_ZEITRAUM = "DATUM_ZEITRAUM"
    FREIGABE_UNVOLLSTAENDIG = "FREIGABE_UNVOLLSTAENDIG"
    KUERZEL_DOPPELT = "KUERZEL_DOPPELT"
    KUERZEL_AEHNLICH = "KUERZEL_AEHNLICH"
    VORLAGE_BESCHAEDIGT = "VORLAGE_BESCHAEDIGT"
    REGELN_ABWEICHEND = "REGELN_ABWEICHEND"
    NAME_ABWEICHEND = "NAME_ABWEICHEND"
    MODUS_ABWEICHEND = "MODUS_ABWEICHEND"
    FALLZAHL_HOCH = "FALLZAHL_HOCH"
    SPRUNG_PERSONEN = "SPRUNG_PERSONEN"
    MITTEL_UEBER_PAUSCHALE = "MITTEL_UEBER_PAUSCHALE"
    DATEI_UNLESBAR = "DATEI_UNLESBAR"
    DATEIFORMAT = "DATEIFORMAT"
    VORLAGE_UNBEKANNT = "VORLAGE_UNBEKANNT"
    MELDUNG_DOPPELT = "MELDUNG_DOPPELT"
    STICHTAG_ABWEICHEND = "STICHTAG_ABWEICHEND"
    DATEI_UEBERSPRUNGEN = "DATEI_UEBERSPRUNGEN"
    MAPPE_VERSCHOBEN = "MAPPE_VERSCHOBEN"
    SUMME_ABWEICHEND = "SUMME_ABWEICHEND"
    KREIS_ABWEICHEND = "KREIS_ABWEICHEND"
    MELDUNG_ZURUECKGEWIESEN = "MELDUNG_ZURUECKGEWIESEN"

    def describe(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Code.PFLICHTFELD: "Ein Pflichtfeld ist leer.",
    Code.TYP: "Ein Wert hat die falsche Form (z. B. Text statt Zahl).",
    Code.AUSWAHL: "Ein Wert steht nicht in der Auswahlliste.",
    Code.ZAHL_NEGATIV: "Eine Anzahl ist negativ oder unplausibel groß.",
    Code.BETRAG_NEGATIV: "Ein Eurobetrag ist negativ oder unplausibel groß.",
    Code.VZA_BEREICH: "Ein Stellenanteil liegt nicht über 0 und höchstens bei 1.",
    Code.WERT_UNGUELTIG: "Ein Wert verletzt eine sonstige Vorgabe.",
    Code.SUMME_ALTERSGRUPPEN: "Die Altersgruppen ergeben nicht die Gesamtzahl der Personen.",
    Code.AGS_UNBEKANNT: "Der Gemeindeschlüssel steht nicht im Verzeichnis des Landkreises.",
    Code.AGS_BINDUNG: "Der Gemeindeschlüssel passt nicht zu der Mappe, in der er steht.",
    Code.DATUM_ZEITRAUM: "Ein Datum liegt außerhalb des Förderzeitraums.",
    Code.FREIGABE_UNVOLLSTAENDIG: "Als eingereicht markiert, aber Name oder Datum der Freigabe fehlen.",
    Code.KUERZEL_DOPPELT: "Ein Kürzel eines Integrationsmanagers steht mehrfach in der Liste.",
    Code.KUERZEL_AEHNLICH: "Zwei Kürzel sehen gleich aus, sind aber mit verschiedenen Zeichen geschrieben.",
    Code.VORLAGE_BESCHAEDIGT: "Ein Feld der Vorlage wurde gelöscht oder umbenannt.",
    Code.REGELN_ABWEICHEND: "Die Mappe gehört zu einem anderen Förderzeitraum als die Meldung.",
    Code.NAME_ABWEICHEND: "Der Gemeindename weicht vom Verzeichnis ab.",
    Code.MODUS_ABWEICHEND: "Die Organisation des Integrationsmanagements weicht vom Verzeichnis ab.",
    Code.FALLZAHL_HOCH: "Die Fallzahl liegt weit über dem Median des Landkreises.",
    Code.SPRUNG_PERSONEN: "Die Personenzahl weicht stark von der letzten Meldung ab.",
    Code.MITTEL_UEBER_PAUSCHALE: "Die gemeldete Verwendung übersteigt die Pro-Kopf-Pauschale.",
    Code.DATEI_UNLESBAR: "Die Datei lässt sich nicht als Arbeitsmappe öffnen.",
    Code.DATEIFORMAT: "Die Meldung liegt in einem Format vor, das Pakt nicht liest (.xls, .numbers, .csv, .pdf …).",
    Code.VORLAGE_UNBEKANNT: "Die Arbeitsmappe ist keine Pakt-Meldung dieser Version.",
    Code.MELDUNG_DOPPELT: "Für dieselbe Gemeinde und denselben Stichtag liegt eine zweite Mappe vor.",
    Code.STICHTAG_ABWEICHEND: "Die Meldung gehört zu einem anderen Stichtag als die laufende Runde.",
    Code.DATEI_UEBERSPRUNGEN: "Eine Datei im Ordner wurde bewusst übergangen (Sperrdatei, temporär, keine Mappe).",
    Code.MAPPE_VERSCHOBEN: "Die in pakt.toml eingetragene Mappe liegt nicht mehr dort; sie wurde anderswo gefunden.",
    Code.SUMME_ABWEICHEND: "Eine Summe der Übersicht eines Landkreises ist nicht die Summe ihrer Zeilen.",
    Code.KREIS_ABWEICHEND: "Die Übersicht gehört zu einem anderen Landkreis, als pakt.toml des Landes einträgt.",
    Code.MELDUNG_ZURUECKGEWIESEN: "Der Landkreis hat die Meldung zurückgewiesen; die Gemeinde muss sie korrigieren.",
}


class Finding(BaseModel):
    """One problem, where it is, and what to do about it (in German)."""

    model_config = ConfigDict(frozen=True)

    code: Code
    severity: Severity
    message: str
    sheet: str | None = None
    cell: str | None = None
    ags: str | None = None
    municipality: str | None = None
    file: str | None = None

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def location(self) -> str:
        """'Meldung!C7', or the sheet alone, or '' when the whole file is meant."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def line(self) -> str:
        """One report line: municipality, sheet!cell, severity and message."""
        who = self.municipality or self.ags or self.file or "?"
        if self.municipality and self.ags:
            who = f"{self.municipality} ({self.ags})"
        where = self.location or "-"
        return f"{who}  {where}  {self.severity.value}: {self.message}"

    def as_json(self) -> dict[str, str | None]:
        """The keys of `pakt validate --json`."""
        return {
            "file": self.file,
            "ags": self.ags,
            "severity": self.severity.value,
            "code": self.code.value,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
        }


def error(code: Code, message: str, sheet: str | None = None, cell: str | None = None) -> Finding:
    return Finding(code=code, severity=Severity.ERROR, message=message, sheet=sheet, cell=cell)


def warning(code: Code, message: str, sheet: str | None = None, cell: str | None = None) -> Finding:
    return Finding(code=code, severity=Severity.WARNING, message=message, sheet=sheet, cell=cell)
