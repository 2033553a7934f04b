"""The submission (Meldung) of one municipality for one reference date.

The models are the spec: German labels (`title`), German input hints
(`description`), constraints and the sheet each section lives on. The
template, the reader, validation and the master's columns are all derived
from them; adding a field here adds it everywhere.
"""

from __future__ import annotations

import enum
from decimal import Decimal

from pydantic import Field, model_validator

from ._fields import Ags, Count, Day, Email, Flag, FteShare, Money, Phone, Text
from ._model_base import ImMode, PaktModel

SCHEMA_VERSION = "1.0"
"""Version of the submission layout; bound into every workbook the template writes."""

SHEET_REPORT = "Meldung"
SHEET_STAFF = "Integrationsmanager"
SHEET_COSTS = "Kosten"


class Employer(enum.StrEnum):
    """Who employs an integration manager."""

    GEMEINDE = "Gemeinde"
    LANDKREIS = "Landkreis"
    FREIER_TRAEGER = "freier Träger"


def _sheet(name: str, **extra: str) -> dict[str, str]:
    return {"sheet": name, **extra}


class Header(PaktModel):
    """Who reports, for which municipality and reference date."""

    ags: Ags = Field(
        title="Gemeindeschlüssel (AGS)",
        description="Achtstelliger Amtlicher Gemeindeschlüssel, vom Landkreis vorausgefüllt.",
        json_schema_extra={"prefilled": True},
    )
    name: Text = Field(
        title="Gemeinde",
        description="Name der Gemeinde, vom Landkreis vorausgefüllt.",
        json_schema_extra={"prefilled": True},
    )
    stichtag: Day = Field(
        title="Stichtag",
        description="Tag, auf den sich die Zahlen beziehen (TT.MM.JJJJ), vom Landkreis vorgegeben.",
        json_schema_extra={"prefilled": True},
    )
    contact_person: Text = Field(
        title="Ansprechperson",
        description="Vor- und Nachname der Person, die Rückfragen zur Meldung beantwortet.",
    )
    email: Email = Field(title="E-Mail", description="Dienstliche E-Mail-Adresse für Rückfragen.")
    phone: Phone = Field(title="Telefon", description="Dienstliche Telefonnummer mit Vorwahl, z. B. 07461 926-0.")


class AgeGroups(PaktModel):
    """Persons in follow-up accommodation by age group; must add up to the total."""

    under_3: Count = Field(0, title="unter 3 Jahre", description="Anzahl Personen unter 3 Jahren.")
    from_3_to_5: Count = Field(0, title="3 bis 5 Jahre", description="Anzahl Personen von 3 bis 5 Jahren.")
    from_6_to_17: Count = Field(0, title="6 bis 17 Jahre", description="Anzahl Personen von 6 bis 17 Jahren.")
    from_18_to_26: Count = Field(0, title="18 bis 26 Jahre", description="Anzahl Personen von 18 bis 26 Jahren.")
    from_27_to_64: Count = Field(0, title="27 bis 64 Jahre", description="Anzahl Personen von 27 bis 64 Jahren.")
    from_65: Count = Field(0, title="65 Jahre und älter", description="Anzahl Personen ab 65 Jahren.")

    def total(self) -> int:
        return sum(getattr(self, name) for name in type(self).model_fields)


class Persons(PaktModel):
    """Persons living in the municipality's follow-up accommodation on the Stichtag."""

    total: Count = Field(
        title="Personen in Anschlussunterbringung",
        description="Anzahl aller Geflüchteten in Anschlussunterbringung am Stichtag (ganze Zahl ab 0).",
    )
    by_age: AgeGroups = Field(title="davon nach Alter")

    @model_validator(mode="after")
    def breakdown_adds_up(self) -> Persons:
        if self.by_age.total() != self.total:
            raise ValueError("age groups do not add up to the total")
        return self


class Management(PaktModel):
    """How the municipality organises its integration management."""

    mode: ImMode = Field(
        title="Integrationsmanagement",
        description="selbst: die Gemeinde stellt eigene Integrationsmanager; landkreis: der Landkreis wurde beauftragt.",
    )


class IntegrationManager(PaktModel):
    """One integration manager working in the municipality (one row of the staff table)."""

    pseudonym: Text = Field(
        title="Kürzel",
        description="Vom Landkreis vergebenes Kürzel, z. B. IM-07. Dieselbe Person hat in allen Gemeinden dasselbe Kürzel; keine Namen.",
    )
    fte: FteShare = Field(
        title="Stellenanteil (VZÄ)",
        description="Anteil einer Vollzeitstelle, der in dieser Gemeinde geleistet wird: über 0 bis 1, z. B. 0,5.",
    )
    start_date: Day = Field(title="Beginn", description="Erster Arbeitstag im Integrationsmanagement (TT.MM.JJJJ).")
    employer: Employer = Field(title="Arbeitgeber", description="Gemeinde, Landkreis oder freier Träger.")


class MaterialCosts(PaktModel):
    """Material costs of integration management that the municipality bears (EUR)."""

    office_eur: Money = Field(Decimal("0.00"), title="Büro", description="Sachkosten für Büro und Ausstattung in Euro.")
    travel_eur: Money = Field(Decimal("0.00"), title="Fahrtkosten", description="Fahrtkosten in Euro.")
    training_eur: Money = Field(Decimal("0.00"), title="Fortbildung", description="Kosten für Fortbildungen in Euro.")
    other_eur: Money = Field(Decimal("0.00"), title="Sonstige Sachkosten", description="Weitere Sachkosten in Euro.")


class FundsUse(PaktModel):
    """How the per-head allowance is spent (EUR)."""

    child_care_eur: Money = Field(
        Decimal("0.00"), title="Kinderbetreuung", description="Mehraufwand für Kinderbetreuung in Euro."
    )
    social_care_eur: Money = Field(Decimal("0.00"), title="Soziale Betreuung", description="Soziale Betreuung in Euro.")
    administration_eur: Money = Field(Decimal("0.00"), title="Verwaltung", description="Verwaltungsaufwand in Euro.")
    volunteer_groups_eur: Money = Field(
        Decimal("0.00"), title="Helferkreise", description="Unterstützung örtlicher Helferkreise in Euro."
    )
    other_eur: Money = Field(Decimal("0.00"), title="Sonstige Verwendung", description="Sonstige Verwendung in Euro.")


class SignOff(PaktModel):
    """Who releases the submission to the district, and when."""

    name: Text | None = Field(None, title="Freigegeben von", description="Name der Person, die die Meldung freigibt.")
    date: Day | None = Field(None, title="Datum der Freigabe", description="Datum der Freigabe (TT.MM.JJJJ).")
    submitted: Flag = Field(
        False, title="Eingereicht", description="ja, wenn die Meldung vollständig ist und an den Landkreis geht."
    )


class Submission(PaktModel):
    """A municipality's complete submission for one Stichtag."""

    schema_version: str = Field(SCHEMA_VERSION, title="Schema-Version")
    header: Header = Field(title="Angaben zur Gemeinde", json_schema_extra=_sheet(SHEET_REPORT))
    persons: Persons = Field(title="Personen in Anschlussunterbringung", json_schema_extra=_sheet(SHEET_REPORT))
    management: Management = Field(title="Integrationsmanagement", json_schema_extra=_sheet(SHEET_REPORT))
    managers: tuple[IntegrationManager, ...] = Field(
        (), title="Integrationsmanager", json_schema_extra=_sheet(SHEET_STAFF, table="pakt_managers")
    )
    material_costs: MaterialCosts = Field(
        default_factory=MaterialCosts, title="Sachkosten", json_schema_extra=_sheet(SHEET_COSTS)
    )
    funds_use: FundsUse = Field(
        default_factory=FundsUse, title="Verwendung der Pro-Kopf-Pauschale", json_schema_extra=_sheet(SHEET_COSTS)
    )
    sign_off: SignOff = Field(default_factory=SignOff, title="Freigabe", json_schema_extra=_sheet(SHEET_REPORT))

    @property
    def im_fte(self) -> Decimal:
        """Full-time equivalents of integration management reported for this municipality."""
        return sum((m.fte for m in self.managers), Decimal("0.00"))
