"""The district master as a machine-readable source: a hidden binding sheet and defined names.

A state (or anyone) reads a master back by name, as Pakt reads a submission:
what it is (kind and schema version), whose it is (district key and name),
which round and rules it shows, which run wrote it, and where its table is
(`pakt_master_header`, `pakt_master_rows`, `pakt_master_totals` on the
Übersicht; the columns are found by their headers, see master/_overview.py).
"""

from __future__ import annotations

from dataclasses import dataclass

MASTER_KIND = "pakt-landkreis-uebersicht"
"""What a district master says it is (a submission's binding says `pakt-meldung`)."""
MASTER_SCHEMA = "1"
"""Version of the master's layout as a source; a reader refuses another."""
SHEET_MASTER_BINDING = "_Pakt"

HEADER_NAME = "pakt_master_header"
ROWS_NAME = "pakt_master_rows"
TOTALS_NAME = "pakt_master_totals"


@dataclass(frozen=True)
class BindingField:
    """One line of the binding sheet: its defined name and German label."""

    name: str
    label: str


MASTER_BINDING_FIELDS = (
    BindingField("pakt_master_kind", "Art der Mappe"),
    BindingField("pakt_master_schema", "Schema-Version"),
    BindingField("pakt_master_district", "Kreisschlüssel"),
    BindingField("pakt_master_district_name", "Landkreis"),
    BindingField("pakt_master_stichtag", "Stichtag"),
    BindingField("pakt_master_rules", "Regeln"),
    BindingField("pakt_master_run", "Abgleich Nr."),
    BindingField("pakt_master_finished", "Stand"),
)

APPROVAL_FIELDS = (
    BindingField("pakt_master_approved", "Gemeinden freigegeben"),
    BindingField("pakt_master_approved_persons", "Personen freigegeben"),
    BindingField("pakt_master_approved_allowance", "Pro-Kopf-Pauschale freigegeben"),
)
"""What a district approved, for the state's roll-up (a district master written before these has none: the
state then shows the approval as unknown)."""
