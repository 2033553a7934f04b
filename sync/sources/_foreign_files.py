"""Files of another format in the folder of submissions: what each kind is, and what the clerk must do.

Pakt reads the form as .xlsx, .xlsm or .ods. A clerk whose program offers another format (Excel 97 in an
old office, Numbers on a Mac, "CSV" to be safe, a PDF to print and sign) still believes she has reported.
Such a file is never passed over in silence: when its name or content ties it to a municipality (see
`_file_owner.py`) it is a Fehler on that municipality's row saying, for its kind, how to save the form so
that Pakt can read it; a file tied to nobody stays a Hinweis, as any other stray file in the folder.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from pakt.schemas import Code, Registry, Severity

from ..reader._problems import file_problem
from ._file_owner import FileOwners
from ._source import Intake, SourceEntry

READ_FORMATS = "Pakt liest nur .xlsx und .ods"


@dataclass(frozen=True)
class ForeignKind:
    """One kind of file Pakt does not read: how to name it, and how the clerk turns it into a form it reads."""

    label: str
    advice: str


_SAVE_AS = "Bitte in Excel oder LibreOffice öffnen und als .xlsx oder .ods speichern („Speichern unter“)."

KINDS: dict[str, ForeignKind] = {
    ".xls": ForeignKind("Excel-97-Datei (.xls)", _SAVE_AS),
    ".xlt": ForeignKind("Excel-97-Vorlage (.xlt)", _SAVE_AS),
    ".xlsb": ForeignKind(
        "Excel-Binärarbeitsmappe (.xlsb)",
        "Bitte in Excel öffnen und über „Speichern unter“ als „Excel-Arbeitsmappe (*.xlsx)“ speichern.",
    ),
    ".numbers": ForeignKind(
        "Numbers-Datei (.numbers)",
        "Bitte in Numbers öffnen und über „Ablage“ › „Exportieren“ › „Excel …“ als .xlsx exportieren.",
    ),
    ".csv": ForeignKind(
        "CSV-Datei (.csv)",
        "Eine CSV-Datei enthält nur die Werte eines Blatts, nicht das Formular. Bitte die Meldemappe selbst "
        "ausfüllen und als .xlsx oder .ods speichern, nicht als CSV.",
    ),
    ".pdf": ForeignKind(
        "PDF-Datei (.pdf)",
        "Aus einer PDF-Datei lassen sich keine Werte übernehmen. Bitte die ausgefüllte Meldemappe selbst "
        "(.xlsx oder .ods) ablegen; eine unterschriebene PDF-Fassung darf zusätzlich dabei liegen.",
    ),
}
KINDS[".tsv"] = ForeignKind("Textdatei mit Tabulatoren (.tsv)", KINDS[".csv"].advice)

SNIFFED = frozenset({".xls", ".xlt", ".xlsb", ".numbers", ".csv", ".tsv", ".pdf"})
"""Kinds the form may come in whose content is searched for an AGS when the name says nobody (any other kind
is tied by its name only: a photo or a letter says nothing Pakt can read)."""

NEVER_SUBMISSIONS = frozenset({".eml"})
"""Files Pakt itself writes beside the districts' files (reminders, `sync/year/_mail_out.py`): never anybody's
submission, whatever their name."""


def suffix_of(name: str) -> str:
    """'.xls' for 'Meldung.XLS'; '' for a name without an extension."""
    suffix = PurePath(name).suffix
    return suffix.lower() if suffix and suffix != name else ""


def advice(suffix: str) -> str:
    """The German Fehler for a submission of this kind: what it is, which formats Pakt reads, what to do."""
    kind = KINDS.get(suffix)
    if kind is not None:
        return f"Die Meldung liegt als {kind.label} vor; {READ_FORMATS}. {kind.advice}"
    what = f"Datei vom Typ {suffix}" if suffix else "Datei ohne Endung"
    return (
        f"Die Meldung liegt als {what} vor; {READ_FORMATS}. Bitte die Meldemappe in Excel oder LibreOffice "
        "ausfüllen und als .xlsx oder .ods speichern („Speichern unter“)."
    )


def nobodys_note(suffix: str) -> str:
    """The Hinweis for a file of another format that names no municipality."""
    return (
        f"Keine Arbeitsmappe im Format .xlsx oder .ods ({suffix or 'ohne Endung'}), keiner Gemeinde zuzuordnen; "
        "übersprungen."
    )


def worth_reading(suffix: str, owners: FileOwners, path: str) -> bool:
    """Whether the scan lists a file of another format: when its name ties it to a municipality, or its
    kind may hold the form's AGS; any other is a Hinweis of the scan and never read. A registry without
    municipalities (a state's, whose folders hold the districts' masters) has nobody to tie a file to."""
    if suffix in NEVER_SUBMISSIONS or not owners.by_ags:
        return False
    return suffix in SNIFFED or owners.of_path(path) is not None


def foreign_intake(entry: SourceEntry, data: bytes, registry: Registry) -> Intake:
    """A file of another format, taken in: a Fehler of its municipality with the advice for its kind, or a
    Hinweis when neither its name nor its content says whose it is."""
    owners = FileOwners(registry)
    suffix = suffix_of(entry.path.name)
    owner = owners.of_path(entry.key)
    if owner is None and suffix in SNIFFED:
        owner = owners.of_content(data)
    sha256 = hashlib.sha256(data).hexdigest()
    if owner is None:
        note = file_problem(Code.DATEI_UEBERSPRUNGEN, nobodys_note(suffix), entry.key, Severity.NOTE)
        return Intake(entry, sha256, problem=note)
    problem = file_problem(Code.DATEIFORMAT, advice(suffix), entry.key, ags=owner.ags, municipality=owner.name)
    return Intake(entry, sha256, problem=problem)
