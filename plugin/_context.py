"""What the formulas and scripts know about the district: the registry, the rules, the default Stichtag.

Set once when the add-in server starts (or, for classic desktop UDFs, from the
pakt.toml named by PAKT_CONFIG); the formulas themselves stay pure wrappers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pakt.schemas import Registry, RuleSet, bundled_rule_ids, load_registry, load_rules

from ._refresh import Refresh


@dataclass(frozen=True)
class FormulaContext:
    """The registry (if any), every rules period the formulas may apply, and how Aktualisieren reaches the sync."""

    registry: Registry | None = None
    rules: tuple[RuleSet, ...] = field(default_factory=tuple)
    refresh: Refresh | None = None
    client: str = ""
    """The client of the request being served ("Office.js", "Google Apps Script"), for the scripts."""

    @property
    def default_stichtag(self) -> date:
        """The Stichtag of the registry's current round, else today."""
        return self.registry.round.stichtag if self.registry else date.today()

    def rules_on(self, day: date) -> RuleSet | None:
        """The rules period that covers `day`."""
        return next((r for r in self.rules if r.covers(day)), None)


def _all_rules(registry: Registry | None) -> tuple[RuleSet, ...]:
    found = {r.id: r for r in (load_rules(i) for i in bundled_rule_ids())}
    if registry is not None:
        own = load_rules(registry.round.rules, registry.base_dir)
        found[own.id] = own
    return tuple(sorted(found.values(), key=lambda r: r.valid_from))


GOOGLE_CLIENT = "Google Apps Script"
"""How xlwings' Apps Script client names itself in every request."""

_default: FormulaContext | None = None
_active: ContextVar[FormulaContext | None] = ContextVar("pakt_formula_context", default=None)


def build_context(registry: Registry | None, refresh: Refresh | None = None) -> FormulaContext:
    """The context for `registry`: its rules and every bundled rules period, and the refresh port if any."""
    return FormulaContext(registry, _all_rules(registry), refresh)


def configure(registry: Registry | None) -> FormulaContext:
    """Make `registry` the process-wide district (classic desktop UDFs, scripts run by hand)."""
    global _default
    _default = build_context(registry)
    return _default


@contextmanager
def use(context: FormulaContext) -> Iterator[FormulaContext]:
    """Run formulas and scripts for `context` (the server does this per request)."""
    token = _active.set(context)
    try:
        yield context
    finally:
        _active.reset(token)


def current() -> FormulaContext:
    """The request's context, else the configured one, else PAKT_CONFIG's registry (or none)."""
    active = _active.get()
    if active is not None:
        return active
    if _default is None:
        config = os.environ.get("PAKT_CONFIG")
        return configure(load_registry(Path(config)) if config else None)
    return _default
