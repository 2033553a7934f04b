"""Whose workbook is this? The binding a template carries, judged before a municipality's key may act on it.

Every submission binds itself to its municipality through defined names on
the hidden sheet `_Pakt` (the AGS, the district, the template). A clerk of
municipality A who re-points `pakt_bind_ags` at a cell holding B's key, or
types B's key into a copied workbook, must not run Prüfen or Einreichen for B:
the binding must sit on the hidden sheet, and the AGS on the Meldung sheet and
the district must agree with it.
"""

from __future__ import annotations

from pakt.schemas import BINDING_FIELDS, SHEET_BINDING, PaktError, Registry, Unreadable, field_by_path, is_blank, to_ags

from ._book_view import BookView

_BOUND = {field.key: field for field in BINDING_FIELDS}
_HEADER_AGS = field_by_path(("header", "ags"))


class BindingBroken(PaktError):
    """The workbook's binding to its municipality is missing or was changed; the message says how."""


def _ags(view: BookView, name: str) -> str | None:
    cell = view.named_cell(name)
    if cell is None or is_blank(cell.value):
        return None
    try:
        return to_ags(cell.value)
    except Unreadable:
        return None


def bound_ags(view: BookView, registry: Registry | None) -> str:
    """The AGS the workbook is bound to, after checking the binding is the template's own."""
    name = _BOUND["ags"].name
    cell = view.named_cell(name)
    if cell is None or is_blank(cell.value):
        raise BindingBroken(
            "Die Mappe ist an keine Gemeinde gebunden. Bitte die Meldemappe des Landratsamts verwenden."
        )
    if cell.sheet != SHEET_BINDING:
        raise BindingBroken(
            f"Die Bindung der Mappe an ihre Gemeinde wurde verändert: {name} verweist auf {cell.sheet}!{cell.cell} "
            f"statt auf das verborgene Blatt {SHEET_BINDING}. Bitte die Meldemappe des Landratsamts verwenden."
        )
    bound = _ags(view, name)
    if bound is None:
        raise BindingBroken(
            "Der Gemeindeschlüssel der Bindung ist unlesbar. Bitte die Meldemappe des Landratsamts verwenden."
        )
    shown = _ags(view, _HEADER_AGS.name)
    if shown is not None and shown != bound:
        raise BindingBroken(
            f"Die Mappe ist an {bound} gebunden, im Blatt {_HEADER_AGS.sheet} steht aber {shown}. "
            "Bitte die eigene Meldemappe verwenden."
        )
    district = view.named_cell(_BOUND["district"].name)
    if registry is not None and district is not None and str(district.value or "").strip() != registry.district.key:
        raise BindingBroken(
            f"Die Mappe gehört nicht zum {registry.district.name} (Kreisschlüssel {district.value}). "
            "Bitte die Meldemappe des Landratsamts verwenden."
        )
    return bound
