"""Cell formats of the Pakt workbooks, German number and date formats included."""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from pakt.schemas import HEADER_FILL, INPUT_FILL, NUMBER_FORMATS, Kind

PREFILLED_FILL = "#EDEDED"


class Formats:
    """The formats one workbook needs, created once (XlsxWriter keeps them per workbook)."""

    def __init__(self, book: Workbook) -> None:
        self._book = book
        self._cache: dict[tuple, Format] = {}
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.subtitle = book.add_format({"italic": True, "font_color": "#444444"})
        self.section = book.add_format({"bold": True, "bg_color": HEADER_FILL, "bottom": 1})
        self.subsection = book.add_format({"italic": True, "indent": 1})
        self.label = book.add_format({"text_wrap": True, "valign": "top"})
        self.label_indented = book.add_format({"text_wrap": True, "valign": "top", "align": "left", "indent": 2})
        self.hint = book.add_format({"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"})
        self.note = book.add_format({"italic": True, "font_color": "#595959"})
        self.plain = book.add_format({"valign": "top"})
        self.bold = book.add_format({"bold": True})
        self.header = book.add_format({"bold": True, "text_wrap": True, "bg_color": HEADER_FILL, "border": 1})

    def _make(self, key: tuple, props: dict[str, Any]) -> Format:
        if key not in self._cache:
            self._cache[key] = self._book.add_format(props)
        return self._cache[key]

    def cell(self, kind: Kind, *, editable: bool) -> Format:
        """Format of an input cell: yellow and unlocked when clerks type into it, grey when prefilled."""
        props = {
            "num_format": NUMBER_FORMATS[kind],
            "locked": not editable,
            "bg_color": INPUT_FILL if editable else PREFILLED_FILL,
            "border": 1,
            "border_color": "#BFBFBF",
            "align": "left"
            if kind in (Kind.TEXT, Kind.EMAIL, Kind.PHONE, Kind.AGS, Kind.CHOICE, Kind.FLAG)
            else "right",
        }
        return self._make(("cell", kind, editable), props)

    def computed(self, kind: Kind) -> Format:
        """Format of a cell the workbook computes itself (locked, bold)."""
        return self._make(("computed", kind), {"num_format": NUMBER_FORMATS[kind], "bold": True, "locked": True})
