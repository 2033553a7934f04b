"""The submission form as a native LibreOffice spreadsheet (ODS), written with odfpy from `_form_layout`.

The same form as the xlsx: the same sheets and cells, every input a named range
(ODF's named expressions, by the same names), drop-downs and range checks as
content validations with the German input hints and error messages, German
number formats, every sheet protected without a password with only the input
cells open, the hidden binding sheet, the staff list a database range named
like the xlsx table (STAFF_TABLE) beside its named range (STAFF_RANGE), and the
allowance as a native OpenFormula (`of:=ROUND(…)`). Every formula cell carries
the value LibreOffice computes for it (`Form.cached`), so a clerk sees no false
warning before the program recalculates.

The ODF spellings below are those LibreOffice itself writes for the same form
(conditions of content validations, named ranges, the database range, sheet
protection in LibreOffice's `loext` namespace); tests/plugin/test_ods_template.py
opens the file in LibreOffice and reads all of it back through UNO.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

from odf import config, dc, meta, table, teletype
from odf.element import Element
from odf.namespaces import LOEXTNS, nsdict
from odf.opendocument import OpenDocumentSpreadsheet
from odf.text import P

from pakt.schemas import EXCEL_EPOCH, Kind, column_letters, format_date, format_eur, format_number

from ._form_formulas import CellError, openformula, openformula_expression
from ._form_layout import DEFAULT, DefinedName, Form, FormSheet, Look, Validation
from ._ods_styles import DEFAULT_WIDTH, OdsStyles, add_default_style, add_page_style
from ._zip_package import normalise_zip

CALCEXTNS = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
nsdict.setdefault(CALCEXTNS, "calcext")  # LibreOffice's prefix for its extension, instead of a generated one


def _quoted(sheet: str) -> str:
    """A sheet name in an ODF cell address: quoted unless it is letters, digits and underscores."""
    return sheet if re.fullmatch(r"\w+", sheet) else "'" + sheet.replace("'", "''") + "'"


def _address(sheet: str, row: int, col: int, absolute: bool = False) -> str:
    """'Meldung.B10', absolute '$Meldung.$B$10': a cell as ODF addresses it."""
    dollar = "$" if absolute else ""
    return f"{dollar}{_quoted(sheet)}.{dollar}{column_letters(col)}{dollar}{row + 1}"


def _serial(day: date) -> int:
    return (day - EXCEL_EPOCH).days


def _number_text(value: float | int) -> str:
    """A number in an ODF condition, as LibreOffice writes it (0.01, 1000000, 99999999.99)."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(float(value))), "f")


def _shown(value: float, kind: Kind | None) -> str:
    """The text a number shows in its format (the cell's paragraph; the value itself is office:value)."""
    if abs(value) < 1e15:
        if kind is Kind.MONEY:
            return format_eur(Decimal(repr(value)))
        if kind is Kind.COUNT:
            return format_number(Decimal(repr(value)), 0)
        if kind is Kind.FTE:
            return format_number(Decimal(repr(value)), 2)
    return repr(value).replace(".", ",").removesuffix(",0")


def _paragraph(text: str) -> P:
    paragraph = P()
    teletype.addTextToElement(paragraph, text)  # spaces, tabs and line breaks kept as ODF spells them
    return paragraph


class _OdsWriter:
    """Writes one form as an ODS document; a fresh instance per file."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.doc = OpenDocumentSpreadsheet()
        self.styles = OdsStyles(self.doc)
        self.checks = table.ContentValidations()

    # -- cells -----------------------------------------------------------------------------------

    def _value(self, cell: table.TableCell, value: object, kind: Kind | None) -> None:
        """The cell's value, typed as ODF types it, and the text it shows (errors as LibreOffice caches them)."""
        if value is None:
            return
        if isinstance(value, CellError):
            cell.setAttribute("valuetype", "string")
            cell.setAttribute("stringvalue", "")
            cell.setAttrNS(CALCEXTNS, "value-type", "error")
            cell.addElement(_paragraph(value.code))
        elif isinstance(value, str):
            cell.setAttribute("valuetype", "string")
            cell.addElement(_paragraph(value))
        elif isinstance(value, datetime):
            cell.setAttribute("valuetype", "date")
            cell.setAttribute("datevalue", value.replace(microsecond=0).isoformat())
            cell.addElement(_paragraph(format_date(value)))
        elif isinstance(value, date):
            cell.setAttribute("valuetype", "date")
            cell.setAttribute("datevalue", value.isoformat())
            cell.addElement(_paragraph(format_date(value)))
        else:
            cell.setAttribute("valuetype", "float")
            cell.setAttribute("value", repr(float(value)))  # type: ignore[arg-type]
            cell.addElement(_paragraph(_shown(float(value), kind)))  # type: ignore[arg-type]

    def _cell(self, sheet: FormSheet, row: int, col: int, checks: dict[tuple[int, int], str]) -> Element:
        merge = next((m for m in sheet.merges if m.row == row and m.first_col <= col <= m.last_col), None)
        if merge is not None and col > merge.first_col:
            return table.CoveredTableCell(stylename=self.styles.cell(merge.look))
        element = table.TableCell()
        if merge is not None:
            element.setAttribute("stylename", self.styles.cell(merge.look))
            element.setAttribute("numbercolumnsspanned", str(merge.last_col - merge.first_col + 1))
            element.setAttribute("numberrowsspanned", "1")
            self._value(element, merge.text, None)
            return element
        header = self._table_header(sheet, row, col)
        form_cell = sheet.cells.get((row, col))
        look, value = DEFAULT, None
        if header is not None:  # the staff table's header, which Excel's table style draws for the xlsx
            look, value = header
        elif form_cell is not None:
            look, value = form_cell.look, form_cell.value
        if look != DEFAULT:
            element.setAttribute("stylename", self.styles.cell(look))
        if (row, col) in checks:
            element.setAttribute("contentvalidationname", checks[(row, col)])
        if form_cell is not None and form_cell.formula is not None:
            element.setAttribute("formula", openformula(form_cell.formula))
            value = self.form.cached(sheet.name, form_cell)
        self._value(element, value, look.kind)
        return element

    @staticmethod
    def _table_header(sheet: FormSheet, row: int, col: int) -> tuple[Look, str] | None:
        staff = sheet.table
        if staff is None or row != staff.top or not staff.left <= col <= staff.right:
            return None
        return staff.header_look, staff.headers[col - staff.left]

    # -- validations -----------------------------------------------------------------------------

    def _condition(self, check: Validation) -> str:
        rule = check.rule
        if rule.check == "list":
            return (
                "of:cell-content-is-in-list(" + ";".join('"' + c.replace('"', '""') + '"' for c in rule.choices) + ")"
            )
        if rule.check == "custom":
            return f"of:is-true-formula({openformula_expression(rule.formula)})"  # type: ignore[arg-type]
        if rule.check == "length":
            if rule.criteria == "between":
                return f"of:cell-content-text-length-is-between({rule.minimum},{rule.maximum})"
            return f"of:cell-content-text-length(){'=' if rule.criteria == '==' else rule.criteria}{rule.value}"
        bounds = [_serial(b) if isinstance(b, date) else b for b in (rule.minimum, rule.maximum)]
        test = {"integer": "whole-number", "decimal": "decimal-number", "date": "date"}[rule.check]
        low, high = (_number_text(b) for b in bounds)  # type: ignore[arg-type]
        return f"of:cell-content-is-{test}() and cell-content-is-between({low},{high})"

    def _validation(self, sheet: FormSheet, check: Validation) -> str:
        rule = check.rule
        name = f"val{len(self.checks.childNodes) + 1}"
        element = table.ContentValidation(
            name=name,
            condition=self._condition(check),
            allowemptycell="true",
            basecelladdress=_address(sheet.name, check.first_row, check.col),
        )
        if rule.check == "list":
            element.setAttribute("displaylist", "unsorted")
        help_message = table.HelpMessage(title=rule.title, display="true")
        help_message.addElement(_paragraph(rule.message))
        error = table.ErrorMessage(messagetype="stop", title=rule.error_title, display="true")
        error.addElement(_paragraph(rule.error_message))
        element.addElement(help_message)
        element.addElement(error)
        self.checks.addElement(element)
        return name

    # -- sheets ----------------------------------------------------------------------------------

    def sheet(self, sheet: FormSheet) -> Element:
        element = table.Table(name=sheet.name, stylename=self.styles.sheet(hidden=sheet.hidden, printed=sheet.printed))
        element.setAttribute("protected", "true")  # no protection key: protected without a password
        protection = Element(qname=(LOEXTNS, "table-protection"), check_grammar=False)
        protection.setAttrNS(LOEXTNS, "select-protected-cells", "true")
        protection.setAttrNS(LOEXTNS, "select-unprotected-cells", "true")
        if sheet.protection.insert_rows:
            protection.setAttrNS(LOEXTNS, "insert-rows", "true")
        if sheet.protection.delete_rows:
            protection.setAttrNS(LOEXTNS, "delete-rows", "true")
        element.addElement(protection, check_grammar=False)
        checks: dict[tuple[int, int], str] = {}
        for check in sheet.validations:
            name = self._validation(sheet, check)
            checks.update({(row, check.col): name for row in range(check.first_row, check.last_row + 1)})
        positions = [*sheet.cells, *((m.row, m.last_col) for m in sheet.merges)]
        if sheet.table is not None:
            positions.append((sheet.table.bottom, sheet.table.right))
        last_row = max(row for row, _ in positions)
        last_col = max([col for _, col in positions] + list(sheet.widths))
        for col in range(last_col + 1):
            width = sheet.widths.get(col, DEFAULT_WIDTH)
            element.addElement(table.TableColumn(stylename=self.styles.column(width), defaultcellstylename="Default"))
        for row in range(last_row + 1):
            row_element = table.TableRow(stylename=self.styles.row(sheet.heights.get(row)))
            used = [col for (r, col) in positions if r == row] + [col for (r, col) in checks if r == row]
            if sheet.table is not None and row == sheet.table.top:
                used.append(sheet.table.right)
            for col in range((max(used) if used else 0) + 1):
                row_element.addElement(self._cell(sheet, row, col, checks))
            element.addElement(row_element)
        return element

    # -- the document ----------------------------------------------------------------------------

    def _names(self) -> Element:
        expressions = table.NamedExpressions()
        for name in self.form.names:
            expressions.addElement(
                table.NamedRange(
                    name=name.name,
                    basecelladdress=_address(name.sheet, *name.first, absolute=True),
                    cellrangeaddress=self._range(name),
                )
            )
        return expressions

    @staticmethod
    def _range(name: DefinedName) -> str:
        """'$Meldung.$B$14', or for a block '$Integrationsmanager.$A$5:.$D$35' (as LibreOffice writes it)."""
        first = _address(name.sheet, *name.first, absolute=True)
        if name.last == name.first:
            return first
        row, col = name.last
        return f"{first}:.${column_letters(col)}${row + 1}"

    def _database_ranges(self) -> Element | None:
        ranges = table.DatabaseRanges()
        for sheet in self.form.sheets.values():
            staff = sheet.table
            if staff is not None:
                target = (
                    f"{_address(sheet.name, staff.top, staff.left)}:{_address(sheet.name, staff.bottom, staff.right)}"
                )
                ranges.addElement(
                    table.DatabaseRange(name=staff.name, targetrangeaddress=target, containsheader="true")
                )
        return ranges if ranges.childNodes else None

    def _meta(self) -> None:
        props = self.form.properties
        created = props.created.isoformat()
        self.doc.meta.addElement(dc.Title(text=props.title))
        self.doc.meta.addElement(dc.Subject(text=props.subject))
        self.doc.meta.addElement(dc.Description(text=props.comments))
        self.doc.meta.addElement(meta.InitialCreator(text=props.author))
        self.doc.meta.addElement(dc.Creator(text=props.author))
        self.doc.meta.addElement(meta.CreationDate(text=created))
        self.doc.meta.addElement(dc.Date(text=created))
        company = meta.UserDefined(name="Landkreis", valuetype="string", text=props.company)
        self.doc.meta.addElement(company)

    def _settings(self) -> None:
        """The sheet shown on opening (Meldung), as LibreOffice keeps it in settings.xml."""
        view = config.ConfigItemSet(name="ooo:view-settings")
        views = config.ConfigItemMapIndexed(name="Views")
        entry = config.ConfigItemMapEntry()
        entry.addElement(config.ConfigItem(name="ViewId", type="string", text="view1"))
        entry.addElement(config.ConfigItem(name="ActiveTable", type="string", text=self.form.active))
        views.addElement(entry)
        view.addElement(views)
        self.doc.settings.addElement(view)

    def write(self) -> bytes:
        add_default_style(self.doc)
        add_page_style(self.doc)
        self._meta()
        self._settings()
        sheets = [self.sheet(sheet) for sheet in self.form.sheets.values()]
        body = self.doc.spreadsheet
        settings = table.CalculationSettings(casesensitive="false", usewildcards="true")
        settings.setAttribute("useregularexpressions", "false")
        body.addElement(settings)
        body.addElement(self.checks)
        for element in sheets:
            body.addElement(element)
        body.addElement(self._names())
        database_ranges = self._database_ranges()
        if database_ranges is not None:
            body.addElement(database_ranges)
        buffer = io.BytesIO()
        self.doc.write(buffer)
        return normalise_zip(_with_fixed_namespaces(buffer.getvalue()))


_ROOT = re.compile(rb"^(<\?xml[^>]*\?>\s*<[\w:.-]+)((?:\s+[\w:.-]+=\"[^\"]*\")*)")
_ATTRIBUTE = re.compile(rb"\s+([\w:.-]+)=(\"[^\"]*\")")


def _fixed_root(match: re.Match[bytes]) -> bytes:
    attributes = [(name, value) for name, value in _ATTRIBUTE.findall(match.group(2)) if not name.startswith(b"xmlns")]
    declared = sorted((prefix, uri) for uri, prefix in nsdict.items() if prefix)
    attributes += [(b"xmlns:" + prefix.encode(), b'"' + uri.encode() + b'"') for prefix, uri in declared]
    return match.group(1) + b"".join(b" " + name + b"=" + value for name, value in attributes)


def _with_fixed_namespaces(data: bytes) -> bytes:
    """The package with every XML part's root declaring all of odfpy's namespaces, sorted: odfpy declares
    those it happened to meet, which differs from one document of the same content to the next."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.endswith(".xml"):
                content = _ROOT.sub(_fixed_root, content, count=1)
            target.writestr(info, content)
    return out.getvalue()


def ods_bytes(form: Form) -> bytes:
    """`form` as an ODS file, byte for byte the same for the same form."""
    return _OdsWriter(form).write()
