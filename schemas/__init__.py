"""Pakt's single source of truth: the models, the rules, the arithmetic and validation.

Everything here is pure (no workbook or network I/O): the template, the
readers of every runtime and the sync service build on it.
"""

from ._a1 import column_letters, parse_a1, parse_reference, quote_sheet, to_a1
from ._arithmetic import (
    CENT,
    FTE_STEP,
    DistrictTotals,
    MunicipalFigures,
    caseload,
    district_totals,
    funds_use_total,
    largest_remainder,
    material_costs_total,
    median,
    municipal_figures,
    per_head_allowance,
    share_fte,
)
from ._errors import (
    ConfigError,
    DistributionError,
    PaktError,
    RulesError,
    SchemaMismatch,
    WorkbookEncrypted,
    WorkbookUnreadable,
)
from ._fields import AGS_PATTERN, FieldSpec, Kind
from ._findings import Code, Finding, Severity
from ._german import format_date, format_decimal, format_eur, format_number
from ._layout import (
    BINDING_FIELDS,
    SHEET_BINDING,
    SHEET_HELP,
    STAFF_RANGE,
    STAFF_TABLE,
    TEMPLATE_ID,
    BindingField,
    InputField,
    TableColumn,
    field_by_path,
    input_fields,
    sheets_in_order,
    staff_columns,
    staff_sheet,
)
from ._normalize import Unreadable, is_blank, normalize
from ._reader import Draft, Entry, RawCell, RawTable, WorkbookView, read_draft
from ._registry import District, GoogleSettings, Municipality, Registry, ReportingRound, load_registry
from ._rules import Payment, Rate, RuleSet, bundled_rule_ids, load_rules, load_rules_file
from ._submission import (
    SCHEMA_VERSION,
    SHEET_COSTS,
    SHEET_REPORT,
    SHEET_STAFF,
    AgeGroups,
    Employer,
    FundsUse,
    Header,
    ImMode,
    IntegrationManager,
    Management,
    MaterialCosts,
    Persons,
    SignOff,
    Submission,
)
from ._validation import (
    CheckContext,
    Checked,
    check,
    district_warnings,
    draft_caseload,
    median_caseload,
    rules_for,
)

__all__ = [
    "column_letters", "parse_a1", "parse_reference", "quote_sheet", "to_a1",
    "AGS_PATTERN", "AgeGroups", "BINDING_FIELDS", "BindingField", "CENT", "CheckContext", "Checked", "Code", "ConfigError",
    "District", "DistrictTotals", "GoogleSettings", "DistributionError", "Draft", "Employer", "Entry", "FTE_STEP", "FieldSpec",
    "Finding", "FundsUse", "Header", "ImMode", "InputField", "IntegrationManager", "Kind", "Management",
    "MaterialCosts", "MunicipalFigures", "Municipality", "PaktError", "Payment", "Persons", "Rate", "RawCell",
    "RawTable", "Registry", "ReportingRound", "RuleSet", "RulesError", "SCHEMA_VERSION", "SHEET_BINDING",
    "SHEET_COSTS", "SHEET_HELP", "SHEET_REPORT", "SHEET_STAFF", "STAFF_RANGE", "STAFF_TABLE", "SchemaMismatch", "Severity",
    "SignOff", "Submission", "TEMPLATE_ID", "TableColumn", "Unreadable", "WorkbookEncrypted", "WorkbookUnreadable",
    "WorkbookView", "bundled_rule_ids", "caseload", "check", "district_totals", "district_warnings", "draft_caseload", "field_by_path",
    "format_date", "format_decimal", "format_eur", "format_number", "funds_use_total", "input_fields", "is_blank",
    "largest_remainder", "load_registry", "load_rules", "load_rules_file", "material_costs_total", "median",
    "median_caseload", "municipal_figures", "normalize", "per_head_allowance", "read_draft", "rules_for",
    "share_fte", "sheets_in_order", "staff_columns", "staff_sheet",
]
