"""A form's looks (`_form_layout.Look`) as XlsxWriter cell formats, German number and date formats included."""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from pakt.schemas import NUMBER_FORMATS

from ._form_layout import DEFAULT, Look


def xlsx_properties(look: Look) -> dict[str, Any]:
    """XlsxWriter's format properties for `look`."""
    props: dict[str, Any] = {}
    if look.kind is not None:
        props["num_format"] = NUMBER_FORMATS[look.kind]
    if not look.locked:
        props["locked"] = False
    flags = {"bold": look.bold, "italic": look.italic, "text_wrap": look.wrap}
    props.update({key: True for key, on in flags.items() if on})
    optional = {
        "font_size": look.size,
        "font_color": look.colour,
        "bg_color": look.fill,
        "valign": look.valign,
        "align": look.align,
        "indent": look.indent or None,
    }
    props.update({key: value for key, value in optional.items() if value is not None})
    if look.border is not None:
        props["border"] = 1
        if look.border != "auto":
            props["border_color"] = look.border
    if look.bottom:
        props["bottom"] = 1
    return props


class Formats:
    """The formats one workbook needs, each created once (XlsxWriter keeps them per workbook)."""

    def __init__(self, book: Workbook) -> None:
        self._book = book
        self._cache: dict[Look, Format] = {}

    def of(self, look: Look) -> Format | None:
        """The format of `look`; None for the default look (a cell written without a format)."""
        if look == DEFAULT:
            return None
        if look not in self._cache:
            self._cache[look] = self._book.add_format(xlsx_properties(look))
        return self._cache[look]
