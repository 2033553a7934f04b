"""The registry of a district: its municipalities, the reporting round, where things live.

Read from `pakt.toml`. Relative paths in it are relative to the file itself,
so a registry and its workbooks can move together.
"""

from __future__ import annotations

import enum
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import Field, PrivateAttr, ValidationError, ValidationInfo, field_validator, model_validator

from ._config_errors import describe_config_error
from ._errors import ConfigError
from ._fields import Ags, Email
from ._mail import MailSettings
from ._model_base import ImMode, PaktModel

GOOGLE_SHEET_PREFIX = "gsheet:"
_SPREADSHEET_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]{20,})")


@dataclass(frozen=True)
class WorkbookFile:
    """A workbook file (a path, relative to the registry)."""

    path: str


@dataclass(frozen=True)
class GoogleSpreadsheet:
    """A Google spreadsheet, by its ID."""

    spreadsheet_id: str

    @property
    def reference(self) -> str:
        """The canonical spelling, as a registry may write it (and the state store keys it)."""
        return GOOGLE_SHEET_PREFIX + self.spreadsheet_id

    @property
    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"


WorkbookRef = WorkbookFile | GoogleSpreadsheet


def parse_workbook_ref(reference: str) -> WorkbookRef:
    """What a registry's `workbook` text names: a Google spreadsheet (its URL, or gsheet:ID) or a file.

    The only place that reads the spelling of a workbook reference.
    """
    if reference.startswith(GOOGLE_SHEET_PREFIX):
        return GoogleSpreadsheet(reference[len(GOOGLE_SHEET_PREFIX) :])
    match = _SPREADSHEET_URL.search(reference)
    return GoogleSpreadsheet(match.group(1)) if match else WorkbookFile(reference)


class District(PaktModel):
    """The district (Landkreis) that runs the reporting."""

    name: str = Field(min_length=1, title="Landkreis")
    key: str = Field(
        pattern=r"^\d{2,5}$",
        title="Kreisschlüssel",
        description="Anfang der Gemeindeschlüssel: fünfstellig für einen Landkreis (08327), zweistellig für ein Land (08).",
    )


class ReportingRound(PaktModel):
    """The reference date being reported on and the rules that apply."""

    stichtag: date
    deadline: date | None = None
    rules: str = Field("pfi-2017-2019", description="Id of bundled rules or path to a rules TOML file.")


class PastRound(ReportingRound):
    """A finished round ([[rounds]]): kept so that its figures stay in the Zeitreihe, with its own rules."""


class MasterSettings(PaktModel):
    """Where the district master workbook (and, by default, the state store) goes."""

    path: str = "master/Pakt_Uebersicht.xlsx"
    state: str | None = None
    keys: str | None = Field(
        None, description="The add-in server's key store (hashed access keys); default beside the master."
    )
    group: str | None = Field(
        None,
        description="Unix group that may read the master and the state store (files then 0640; without it 0600).",
    )
    stale_lock_hours: float = Field(
        12, gt=0, description="An Excel or LibreOffice lock file older than this is taken as left behind."
    )
    google: str | None = Field(
        None, description="A Google spreadsheet (URL or gsheet:ID) that gets the district view too."
    )

    @field_validator("google")
    @classmethod
    def google_is_a_spreadsheet(cls, value: str | None) -> str | None:
        if value is not None and not isinstance(parse_workbook_ref(value), GoogleSpreadsheet):
            raise ValueError(f"„{value}“ ist keine Google-Tabelle (erwartet: ihre Adresse oder gsheet:ID)")
        return value

    @property
    def google_spreadsheet(self) -> GoogleSpreadsheet | None:
        """The Google master, if the district keeps one."""
        ref = parse_workbook_ref(self.google) if self.google else None
        return ref if isinstance(ref, GoogleSpreadsheet) else None


class GoogleSettings(PaktModel):
    """Access to Google Sheets: credentials, and how politely to use the API."""

    credentials: str | None = Field(
        None, description="Service-account JSON key file; without it, application-default credentials."
    )
    reads_per_minute: int = Field(60, gt=0, description="Sheets read requests per minute (Google's per-user quota).")
    writes_per_minute: int = Field(60, gt=0)
    drive_per_minute: int = Field(
        12_000, gt=0, description="Drive requests per minute (listing, metadata, export), Google's per-user limit."
    )
    quota_store: str | None = Field(
        None,
        description="File that counts requests for every process using these credentials; default beside the "
        "key file, else beside the state store.",
    )
    quota_window_s: float = Field(
        60.0, gt=0, description="The window the per-minute limits count in (tests shorten it)."
    )
    max_retries: int = Field(6, ge=0, description="Retries on 429, 5xx and timeouts, with exponential backoff.")
    backoff_s: float = Field(1.0, gt=0, description="First backoff delay; it doubles, with jitter.")
    timeout_s: float = Field(30.0, gt=0)
    max_retry_after_s: float = Field(60.0, gt=0, description="Longest wait Google's Retry-After may ask for.")
    request_deadline_s: float = Field(
        120.0, gt=0, description="Longest time one request (one sheet's read) may take, its retries included."
    )
    run_deadline_s: float = Field(900.0, gt=0, description="Longest time a run may spend talking to Google.")
    parallel_reads: int = Field(4, ge=1, le=16, description="Sheets read at once (all within the quota).")


class Sources(PaktModel):
    """Folders (a network share in real life) that hold municipal workbooks."""

    folders: tuple[str, ...] = ()
    exclude: tuple[str, ...] = Field(
        (), description="Glob patterns of paths below the folders to leave out, e.g. 'vorlage' or '*/Archiv/*'."
    )


class Plausibility(PaktModel):
    """Thresholds of the plausibility warnings."""

    caseload_factor: Decimal = Field(Decimal("2"), gt=1, description="Warn above this multiple of the median caseload.")
    jump_ratio: Decimal = Field(Decimal("0.5"), gt=0, description="Warn when persons change by more than this share.")


class TemplateFormat(enum.StrEnum):
    """The file format of a generated form: Excel's (also read by every other program) or LibreOffice's own."""

    XLSX = "xlsx"
    ODS = "ods"

    @property
    def suffix(self) -> str:
        return "." + self.value


class TemplateSettings(PaktModel):
    """How `pakt template` and `pakt round start` write the forms ([templates])."""

    format: TemplateFormat = Field(
        TemplateFormat.XLSX, description="The district's format of the forms; a municipality's own `format` wins."
    )


class Municipality(PaktModel):
    """A municipality of the district."""

    ags: Ags
    name: str = Field(min_length=1)
    im_mode: ImMode
    workbook: str | None = Field(
        None, description="Where its workbook lives: a path, or a Google spreadsheet (its URL, or gsheet:ID)."
    )
    format: TemplateFormat | None = Field(
        None, description="The format of its form (xlsx or ods); without it, the district's ([templates] format)."
    )
    contact: str | None = Field(
        None, min_length=1, description="Contact person reminders are addressed to (before the one a submission names)."
    )
    email: Email | None = Field(None, description="Address reminders go to (before the one a submission names).")
    kreditor: str | None = Field(
        None, min_length=1, max_length=35, description="The finance office's creditor number (Kreditor) for it."
    )
    iban: str | None = Field(None, description="The account its allowance is paid to (checked, kept compact).")

    @field_validator("iban")
    @classmethod
    def iban_checked(cls, iban: str | None, info: ValidationInfo) -> str | None:
        """A wrong IBAN would send money nowhere or to someone else: refused, naming the municipality."""
        whose = f"von {info.data.get('name', '?')} ({info.data.get('ags', '?')})"
        return checked_iban(iban, whose) if iban is not None else None

    @property
    def workbook_ref(self) -> WorkbookRef | None:
        """Where its workbook lives, parsed."""
        return parse_workbook_ref(self.workbook) if self.workbook else None


def checked_iban(text: str, whose: str) -> str:
    """An IBAN, compact, checked by schwifty (country, length, check digits, the bank code where known)."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        return IBAN(text).compact
    except SchwiftyException as error:
        why = _IBAN_PROBLEMS.get(type(error).__name__, "ungültig")
        raise ValueError(f"Die IBAN {whose} „{text}“ ist falsch: {why}. Bitte in pakt.toml berichtigen") from None


_IBAN_PROBLEMS = {
    "InvalidChecksumDigits": "die Prüfziffer stimmt nicht (Tippfehler?)",
    "InvalidLength": "sie hat nicht die Länge, die ihr Land vorschreibt",
    "InvalidCountryCode": "sie beginnt nicht mit einem bekannten Länderkennzeichen",
    "InvalidStructure": "sie hat nicht den Aufbau, den ihr Land vorschreibt",
    "InvalidBankCode": "die Bankleitzahl gibt es nicht",
    "InvalidAccountCode": "die Kontonummer hat nicht die erwartete Form",
    "InvalidBBANChecksum": "die Prüfziffer der Kontonummer stimmt nicht",
}
"""schwifty's refusals in German, by exception name."""


class PaymentSettings(PaktModel):
    """How the district pays: the Nachtrag's due date and, where it pays by bank file, its own account."""

    nachtrag_faellig: date | None = Field(
        None, title="Fälligkeit des Nachtrags", description="Due date of a Nachtrag (pakt payments --faellig wins)."
    )
    sepa: bool = Field(False, description="Also write a SEPA credit-transfer file (pain.001) with each list.")
    debtor_name: str | None = Field(None, min_length=1, max_length=70, title="Kontoinhaber des Landkreises")
    debtor_iban: str | None = Field(None, title="IBAN des Landkreises")
    debtor_bic: str | None = Field(None, title="BIC des Landkreises")

    @field_validator("debtor_iban")
    @classmethod
    def debtor_iban_checked(cls, iban: str | None) -> str | None:
        return checked_iban(iban, "des Landkreises (payments.debtor_iban)") if iban is not None else None

    @model_validator(mode="after")
    def account_for_sepa(self) -> PaymentSettings:
        if self.sepa and not (self.debtor_name and self.debtor_iban and self.debtor_bic):
            raise ValueError(
                "Für eine SEPA-Datei (payments.sepa = true) braucht es debtor_name, debtor_iban und debtor_bic "
                "des Landkreises"
            )
        return self


class DistrictEntry(PaktModel):
    """A district of a state's registry ([[districts]]): its master is the state roll-up's source."""

    key: str = Field(
        pattern=r"^\d{5}$", title="Kreisschlüssel", description="Fünfstellig, beginnt mit dem Landesschlüssel."
    )
    name: str = Field(min_length=1, title="Landkreis")
    master: str = Field(
        min_length=1, description="Where its district master (xlsx) lives: a path, relative to pakt.toml."
    )


class Registry(PaktModel):
    """Everything Pakt knows about one district, or about one state and its districts (`districts`)."""

    district: District
    round: ReportingRound
    rounds: tuple[PastRound, ...] = Field(
        (), description="Earlier rounds, oldest first; `pakt round start` adds the ending round here."
    )
    master: MasterSettings = Field(default_factory=MasterSettings)
    sources: Sources = Field(default_factory=Sources)
    plausibility: Plausibility = Field(default_factory=Plausibility)
    google: GoogleSettings = Field(default_factory=GoogleSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    payments: PaymentSettings = Field(default_factory=PaymentSettings)
    templates: TemplateSettings = Field(default_factory=TemplateSettings)
    municipalities: tuple[Municipality, ...] = ()
    districts: tuple[DistrictEntry, ...] = Field(
        (), description="A state's districts: a registry lists either municipalities or districts."
    )

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _by_ags: dict[str, Municipality] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def municipalities_or_districts(self) -> Registry:
        if self.municipalities and self.districts:
            raise ValueError(
                "Eine Konfiguration nennt entweder Gemeinden ([[municipalities]], ein Landkreis) oder Landkreise "
                "([[districts]], ein Land), nicht beides"
            )
        if not self.municipalities and not self.districts:
            raise ValueError(
                "Die Konfiguration nennt weder Gemeinden ([[municipalities]]) noch Landkreise ([[districts]])"
            )
        return self

    @model_validator(mode="after")
    def district_keys_unique_and_in_state(self) -> Registry:
        seen_keys: set[str] = set()
        seen_names: set[str] = set()
        for entry in self.districts:
            if not entry.key.startswith(self.district.key) or len(self.district.key) >= len(entry.key):
                raise ValueError(
                    f"Kreisschlüssel {entry.key} ({entry.name}) gehört nicht zum Landesschlüssel {self.district.key}"
                )
            if entry.key in seen_keys:
                raise ValueError(f"Kreisschlüssel {entry.key} ist doppelt eingetragen")
            if entry.name in seen_names:
                raise ValueError(f"Landkreis {entry.name} ist doppelt eingetragen")
            seen_keys.add(entry.key)
            seen_names.add(entry.name)
        return self

    @model_validator(mode="after")
    def keys_unique_and_in_district(self) -> Registry:
        seen_ags: set[str] = set()
        seen_names: set[str] = set()
        for municipality in self.municipalities:
            if not municipality.ags.startswith(self.district.key):
                raise ValueError(
                    f"Gemeindeschlüssel {municipality.ags} ({municipality.name}) gehört nicht "
                    f"zum Kreisschlüssel {self.district.key}"
                )
            if municipality.ags in seen_ags:
                raise ValueError(f"Gemeindeschlüssel {municipality.ags} ist doppelt eingetragen")
            if municipality.name in seen_names:
                raise ValueError(f"Gemeinde {municipality.name} ist doppelt eingetragen")
            seen_ags.add(municipality.ags)
            seen_names.add(municipality.name)
        return self

    @model_validator(mode="after")
    def past_rounds_before_current(self) -> Registry:
        seen: set[date] = set()
        for past in self.rounds:
            if past.stichtag >= self.round.stichtag:
                raise ValueError(
                    f"Die frühere Runde zum Stichtag {past.stichtag:%d.%m.%Y} liegt nicht vor der laufenden "
                    f"({self.round.stichtag:%d.%m.%Y})"
                )
            if past.stichtag in seen:
                raise ValueError(f"Die Runde zum Stichtag {past.stichtag:%d.%m.%Y} ist doppelt eingetragen")
            seen.add(past.stichtag)
        return self

    def all_rounds(self) -> list[ReportingRound]:
        """Every round of the registry, oldest first, the running one last."""
        return [*sorted(self.rounds, key=lambda r: r.stichtag), self.round]

    @property
    def is_state(self) -> bool:
        """A state's registry: its sources are the masters of its districts, not municipal workbooks."""
        return bool(self.districts)

    @property
    def base_dir(self) -> Path:
        """Folder that relative paths in the registry are resolved against."""
        return self._base_dir

    def resolve(self, relative: str) -> Path:
        path = Path(relative)
        return path if path.is_absolute() else self._base_dir / path

    def template_format(self, municipality: Municipality | None) -> TemplateFormat:
        """The format of a municipality's form (its own, else the district's); None: the blank template's."""
        own = municipality.format if municipality is not None else None
        return own or self.templates.format

    def municipality(self, ags: str) -> Municipality | None:
        """The municipality with this AGS (an index, so 10,000 municipalities cost no more than 35)."""
        if self._by_ags is None:
            self._by_ags = {m.ags: m for m in self.municipalities}
        return self._by_ags.get(ags)


def load_registry(path: Path) -> Registry:
    """Read pakt.toml; ConfigError with a German message when it cannot be used."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"Die Konfigurationsdatei {path} wurde nicht gefunden.") from exc
    except OSError as exc:
        raise ConfigError(f"Die Konfigurationsdatei {path} kann nicht gelesen werden: {exc.strerror}.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Die Konfigurationsdatei {path} ist kein gültiges TOML: {exc}.") from exc
    try:
        registry = Registry.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(describe_config_error(e) for e in exc.errors()[:5])
        raise ConfigError(f"Die Konfigurationsdatei {path} ist fehlerhaft: {details}.") from exc
    registry._base_dir = path.resolve().parent
    return registry
