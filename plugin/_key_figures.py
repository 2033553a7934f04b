"""What the form tells the clerk first: the deadline, the rate in force on the Stichtag, the allowance.

The allowance is a native spreadsheet formula, so it shows in Excel, LibreOffice and Google Sheets with
or without the add-in; it must give Python's figure (`per_head_allowance`) to the cent.

Why one spreadsheet function serves every rounding mode of the rules: a rate carries exactly two
decimals (the `Rate` model refuses more) and persons are a whole number, so the exact product has at
most two decimals and rounding it to the cent changes nothing, whatever the mode (ROUND_HALF_UP,
ROUND_HALF_EVEN, ROUND_DOWN give the same figure; Python's `quantize` is the identity there). What the
spreadsheet's rounding must do is something else: it multiplies in binary floating point, so
1.225,05 € x 3 comes out as 3675.1499999999996, a tiny fraction of a cent below the exact 3.675,15 €.
Rounding to the nearest cent (ROUND) removes that noise in every program; rounding down (ROUNDDOWN)
turns it into a lost cent wherever the program does not first snap the noise away (LibreOffice does,
a plain floor of x*100 does not).
tests/plugin/test_key_figures.py checks both halves of this argument.

Why the form calls no PAKT.PAUSCHALE (issue 16 asked for `IFERROR(PAKT.PAUSCHALE(…); persons × rate)`, the
add-in's figure where it is present, the native one elsewhere). Microsoft documents how a clerk calls an
add-in's custom function in Excel (=PAKT.PAUSCHALE(…), the namespace from the manifest) but not how Excel
stores that call in an xlsx file, nor that Excel evaluates such a call written by another program. What is
public are maintainers' and users' reports on GitHub: Excel saves a JavaScript custom function under an
internal `_xldudf` prefix (OfficeDev/Excel-Custom-Functions#108, OfficeDev/office-js#2568 and #3558), the
call shows as `_xldudf_…` until the add-in's metadata is loaded, and calls put into a workbook without Excel
registering them were not calculated on opening even where the add-in was present (#108: only re-entering
each formula made it calculate). XlsxWriter's documentation covers the `_xlfn.` prefixes of Excel's own
newer functions and otherwise says to save a formula from Excel and read its XML, which needs an Excel
this project does not have. Writing `_xldudf_PAKT_PAUSCHALE(…)` would be a guess about an undocumented
format, and the one place it could go wrong (Excel with the add-in) is the one no test here can run.

Elsewhere such a call is an unknown function: LibreOffice shows #NAME? for it and IFERROR then gives the
fallback (tried with this project's LibreOffice); Google Sheets has no PAKT.PAUSCHALE either (Pakt's
Google function is =PAUSCHALE(…), from the Apps Script file, without a namespace). So the form keeps the
native formula alone: it is the fallback the issue names, computed by the district's rules (the rate in
force on the Stichtag, rounded as argued above) in every program, with or without the add-in, and it never
shows #NAME?. tests/plugin/test_key_figures.py holds it, recalculated by LibreOffice, to Python's figure and
to PAKT.PAUSCHALE's answers in the golden table (tests/golden/formulas.toml). A clerk who wants the add-in's
figure types =PAKT.PAUSCHALE(pakt_persons_total) into a cell in Excel, which then stores it its own way.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pakt.schemas import RuleSet, format_date, format_eur

from ._form_formulas import Binary, Formula, Number, call

ALLOWANCE_ROUNDING_FUNCTION = "ROUND"
"""The spreadsheet function that rounds the allowance to the cent, for every rounding mode (see above)."""


def rate_in_force(rules: RuleSet, stichtag: date | None) -> Decimal | None:
    """The per-person rate on the Stichtag; without a Stichtag the period's only rate, if it has one.

    RulesError (German) when the Stichtag lies outside every rate: a form must not promise a rate
    that does not exist.
    """
    if stichtag is not None:
        return rules.rate_on(stichtag)
    return rules.rates[0].per_person_eur if len(rules.rates) == 1 else None


def allowance_formula(persons: Formula, rate: Formula) -> Formula:
    """The native formula of the allowance: persons times rate, rounded to the cent (its cached value is
    computed from it, see _form_formulas: for a whole count of persons that is Python's figure)."""
    return call(ALLOWANCE_ROUNDING_FUNCTION, Binary("*", persons, rate), Number(2))


def rate_paragraphs(rules: RuleSet, stichtag: date | None) -> list[str]:
    """German lines on the rate for the Hinweise sheet: the one in force on the Stichtag, and every rate of
    the period when it changes within it (so nobody takes the first one for the rate)."""
    rate = rate_in_force(rules, stichtag)
    rates = "; ".join(
        f"{format_eur(r.per_person_eur)} vom {format_date(r.valid_from)} bis {format_date(r.valid_until)}"
        for r in sorted(rules.rates, key=lambda r: r.valid_from)
    )
    if rate is None:
        return [
            f"Pro-Kopf-Pauschale je Person in Anschlussunterbringung: {rates}. Maßgeblich ist der Satz am Stichtag."
        ]
    when = f" am Stichtag {format_date(stichtag)}" if stichtag is not None else ""
    lines = [f"Pro-Kopf-Pauschale{when}: {format_eur(rate)} je Person in Anschlussunterbringung."]
    if len(rules.rates) > 1:
        lines.append(f"Der Satz ändert sich im Förderzeitraum: {rates}. Maßgeblich ist der Satz am Stichtag.")
    return lines


def rate_validity(rules: RuleSet, stichtag: date | None) -> str:
    """'gültig vom 01.07.2021 bis 31.12.2022': when the rate in force on the Stichtag applies."""
    day = stichtag if stichtag is not None else rules.valid_from
    rate = next(r for r in rules.rates if r.valid_from <= day <= r.valid_until)
    return f"gültig vom {format_date(rate.valid_from)} bis {format_date(rate.valid_until)}"
