"""The styles of Pakt's ODS form: a form's looks (`_form_layout.Look`) as ODF cell styles, German number
formats as ODF data styles, column widths, row heights, the hidden sheet and the printed page."""

from __future__ import annotations

from odf import number, style
from odf.element import Element
from odf.namespaces import LOEXTNS
from odf.opendocument import OpenDocumentSpreadsheet

from pakt.schemas import Kind

from ._form_layout import Look

_CHAR_WIDTH_PX, _CELL_PADDING_PX, _PX_PER_CM = 7, 5, 96 / 2.54
"""A column width in characters becomes pixels as Excel (and XlsxWriter) count them: 7 per digit, 5 padding."""
_INDENT_CM = 0.37
"""One indent step of a cell, as LibreOffice reads Excel's indent."""
DEFAULT_WIDTH = 8.43
"""Excel's width of a column nobody sized, in characters."""
_PAGE_STYLE = "Pakt_A4_quer"


def _cm(value: float) -> str:
    return f"{value:.3f}cm"


def _column_cm(width: float) -> str:
    return _cm((int(width * _CHAR_WIDTH_PX + 0.5) + _CELL_PADDING_PX) / _PX_PER_CM)


class OdsStyles:
    """The automatic styles of one document: one cell style per look, one data style per kind."""

    def __init__(self, doc: OpenDocumentSpreadsheet) -> None:
        self.doc = doc
        self._cells: dict[Look, str] = {}
        self._data: dict[Kind, str] = {}
        self._columns: dict[str, str] = {}
        self._rows: dict[str, str] = {}
        self._tables: dict[tuple[bool, bool], str] = {}

    def _add(self, element: Element) -> None:
        self.doc.automaticstyles.addElement(element)

    def data(self, kind: Kind) -> str:
        """The ODF spelling of schemas.NUMBER_FORMATS[kind]: German separators, € after the amount."""
        if kind not in self._data:
            name = f"N_{kind.name}"
            if kind is Kind.DATE:
                element = number.DateStyle(name=name, language="de", country="DE")
                for part in (number.Day(style="long"), ".", number.Month(style="long"), ".", number.Year(style="long")):
                    element.addElement(number.Text(text=part) if isinstance(part, str) else part)
            elif kind in (Kind.COUNT, Kind.MONEY, Kind.FTE):
                element = number.NumberStyle(name=name, language="de", country="DE")
                places = 0 if kind is Kind.COUNT else 2
                digits = number.Number(decimalplaces=places, minintegerdigits=1, grouping=kind is not Kind.FTE)
                element.addElement(digits)
                if kind is Kind.MONEY:
                    element.addElement(number.Text(text=" €"))
            else:
                element = number.TextStyle(name=name)
                element.addElement(number.TextContent())
            self._add(element)
            self._data[kind] = name
        return self._data[kind]

    def cell(self, look: Look) -> str:
        if look not in self._cells:
            name = f"ce{len(self._cells) + 1}"
            attributes = {"name": name, "family": "table-cell", "parentstylename": "Default"}
            if look.kind is not None:
                attributes["datastylename"] = self.data(look.kind)
            element = style.Style(**attributes)
            cell: dict[str, str] = {}
            if look.fill:
                cell["backgroundcolor"] = look.fill
            if look.border:
                cell["border"] = "0.74pt solid " + ("#000000" if look.border == "auto" else look.border)
            if look.bottom:
                cell["borderbottom"] = "0.74pt solid #000000"
            if look.wrap:
                cell["wrapoption"] = "wrap"
            if look.valign:
                cell["verticalalign"] = look.valign
            if look.align:
                cell["textalignsource"] = "fix"
            cell["cellprotect"] = "protected" if look.locked else "none"
            element.addElement(style.TableCellProperties(**cell))
            paragraph: dict[str, str] = {}
            if look.align:
                paragraph["textalign"] = "start" if look.align == "left" else "end"
            if look.indent:
                paragraph["marginleft"] = _cm(look.indent * _INDENT_CM)
            if paragraph:
                element.addElement(style.ParagraphProperties(**paragraph))
            text: dict[str, str] = {}
            if look.bold:
                text.update(fontweight="bold", fontweightasian="bold", fontweightcomplex="bold")
            if look.italic:
                text.update(fontstyle="italic", fontstyleasian="italic", fontstylecomplex="italic")
            if look.size:
                text.update(fontsize=f"{look.size}pt", fontsizeasian=f"{look.size}pt", fontsizecomplex=f"{look.size}pt")
            if look.colour:
                text["color"] = look.colour
            if text:
                element.addElement(style.TextProperties(**text))
            self._add(element)
            self._cells[look] = name
        return self._cells[look]

    def column(self, width: float) -> str:
        size = _column_cm(width)
        if size not in self._columns:
            name = f"co{len(self._columns) + 1}"
            element = style.Style(name=name, family="table-column")
            element.addElement(style.TableColumnProperties(columnwidth=size, breakbefore="auto"))
            self._add(element)
            self._columns[size] = name
        return self._columns[size]

    def row(self, height: float | None) -> str:
        """A row of `height` points, or (None) one LibreOffice makes as high as its wrapped text needs."""
        size = f"{height:g}pt" if height is not None else ""
        if size not in self._rows:
            name = f"ro{len(self._rows) + 1}"
            element = style.Style(name=name, family="table-row")
            fixed = {"rowheight": size, "useoptimalrowheight": "false"} if size else {"useoptimalrowheight": "true"}
            element.addElement(style.TableRowProperties(**fixed))
            self._add(element)
            self._rows[size] = name
        return self._rows[size]

    def sheet(self, *, hidden: bool, printed: bool) -> str:
        key = (hidden, printed)
        if key not in self._tables:
            name = f"ta{len(self._tables) + 1}"
            attributes = {"name": name, "family": "table"}
            if printed:
                attributes["masterpagename"] = _PAGE_STYLE
            element = style.Style(**attributes)
            element.addElement(style.TableProperties(display="false" if hidden else "true"))
            self._add(element)
            self._tables[key] = name
        return self._tables[key]


def add_default_style(doc: OpenDocumentSpreadsheet) -> None:
    """Calibri 11 like the xlsx (LibreOffice shows its metric twin Carlito where Calibri is missing), so the
    column widths, counted in its characters, hold the same text."""
    doc.fontfacedecls.addElement(style.FontFace(name="Calibri", fontfamily="Calibri", fontfamilygeneric="swiss"))
    default = style.Style(name="Default", family="table-cell")
    default.addElement(style.TextProperties(fontname="Calibri", fontsize="11pt"))
    doc.styles.addElement(default)


def add_page_style(doc: OpenDocumentSpreadsheet) -> None:
    """A4 landscape, one page wide: what district staff get when they print a submission."""
    layout = style.PageLayout(name="Mpm_A4_quer")
    properties = style.PageLayoutProperties(
        pagewidth="29.7cm", pageheight="21cm", printorientation="landscape", margin="1.8cm"
    )
    properties.setAttrNS(LOEXTNS, "scale-to-X", "1")
    properties.setAttrNS(LOEXTNS, "scale-to-Y", "0")
    layout.addElement(properties)
    doc.automaticstyles.addElement(layout)
    doc.masterstyles.addElement(style.MasterPage(name=_PAGE_STYLE, pagelayoutname="Mpm_A4_quer"))
