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
from ._german import GERMAN_LOCALE_TAG, NUMBER_FORMATS, counted, format_date, format_decimal, format_eur, format_number
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
from ._grid import ERROR_FILL, HEADER_FILL, INPUT_FILL, LINK_COLOUR, WARNING_FILL, Cell, CellValue, Link, Row, SheetGrid, Style, title_rows
from ._normalize import (
    EXCEL_EPOCH,
    Unreadable,
    is_blank,
    normalize,
    to_ags,
    to_bool,
    to_date,
    to_decimal,
    to_int,
    to_text,
)
from ._reader import Draft, Entry, RawCell, RawTable, WorkbookView, read_draft
from ._registry import (
    District,
    GoogleSettings,
    GoogleSpreadsheet,
    Municipality,
    Registry,
    ReportingRound,
    WorkbookFile,
    WorkbookRef,
    load_registry,
    parse_workbook_ref,
)
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
    "AgeGroups", "AGS_PATTERN", "BINDING_FIELDS", "BindingField", "bundled_rule_ids", "caseload", "Cell",
    "CellValue", "CENT", "check", "CheckContext", "Checked", "Code", "column_letters", "counted", "ConfigError",
    "DistributionError", "District", "district_totals", "district_warnings", "DistrictTotals", "Draft",
    "draft_caseload", "Employer", "Entry", "EXCEL_EPOCH", "field_by_path", "FieldSpec", "Finding", "format_date",
    "format_decimal", "format_eur", "format_number", "FTE_STEP", "funds_use_total", "FundsUse", "GERMAN_LOCALE_TAG",
    "GoogleSettings", "GoogleSpreadsheet", "Header", "HEADER_FILL", "ImMode", "input_fields", "InputField", "IntegrationManager",
    "is_blank", "Kind", "largest_remainder", "Link", "LINK_COLOUR", "load_registry", "load_rules", "load_rules_file", "Management",
    "material_costs_total", "MaterialCosts", "median", "median_caseload", "municipal_figures", "MunicipalFigures",
    "Municipality", "normalize", "NUMBER_FORMATS", "PaktError", "parse_a1", "parse_reference", "parse_workbook_ref", "Payment",
    "per_head_allowance", "Persons", "quote_sheet", "Rate", "RawCell", "RawTable", "read_draft", "Registry",
    "ReportingRound", "Row", "rules_for", "RulesError", "RuleSet", "SCHEMA_VERSION", "SchemaMismatch", "Severity",
    "share_fte", "SHEET_BINDING", "SHEET_COSTS", "SHEET_HELP", "SHEET_REPORT", "SHEET_STAFF", "SheetGrid",
    "sheets_in_order", "SignOff", "staff_columns", "INPUT_FILL", "ERROR_FILL", "WARNING_FILL", "STAFF_RANGE", "staff_sheet", "STAFF_TABLE",
    "Style", "Submission", "TableColumn", "TEMPLATE_ID", "title_rows", "to_a1", "to_ags", "to_bool", "to_date",
    "to_decimal", "to_int", "to_text", "Unreadable", "WorkbookEncrypted", "WorkbookFile", "WorkbookRef", "WorkbookUnreadable", "WorkbookView",
]
