"""Allowance rules of a programme period, loaded from TOML data files.

Rules are data: a new period or rate is a new file under schemas/rules/
(or any TOML file the registry points at), never a code change.
"""

from __future__ import annotations

import itertools
import tomllib
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from ._config_errors import describe_config_error
from ._errors import ConfigError, RulesError
from ._german import format_date
from ._model_base import PaktModel

RULES_DIR = Path(__file__).parent / "rules"

Rounding = Literal["ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_DOWN"]
_ROUNDING = {"ROUND_HALF_UP": ROUND_HALF_UP, "ROUND_HALF_EVEN": ROUND_HALF_EVEN, "ROUND_DOWN": ROUND_DOWN}


class Rate(PaktModel):
    """A per-person rate and the dates (inclusive) on which it is in force."""

    valid_from: date
    valid_until: date
    per_person_eur: Decimal = Field(gt=0, decimal_places=2)


class Payment(PaktModel):
    """An instalment (tranche): persons are counted on `stichtag`, money flows on `paid_on`; `share` is the
    part of that Stichtag's allowance it pays (several tranches of one Stichtag share it out)."""

    name: str
    stichtag: date
    paid_on: date
    share: Decimal = Field(Decimal("1"), gt=0, le=1)


class RuleSet(PaktModel):
    """The rules of one programme period."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    name: str
    valid_from: date
    valid_until: date
    rounding: Rounding = "ROUND_HALF_UP"
    note: str = ""
    rates: tuple[Rate, ...] = Field(min_length=1)
    payments: tuple[Payment, ...] = ()

    @model_validator(mode="after")
    def rates_lie_in_period_without_overlap(self) -> RuleSet:
        ordered = sorted(self.rates, key=lambda r: r.valid_from)
        for rate in ordered:
            if not (self.valid_from <= rate.valid_from <= rate.valid_until <= self.valid_until):
                raise ValueError(f"Satz {rate.valid_from}..{rate.valid_until} liegt außerhalb des Förderzeitraums")
        for earlier, later in itertools.pairwise(ordered):
            if later.valid_from <= earlier.valid_until:
                raise ValueError(f"Sätze überschneiden sich am {later.valid_from}")
        return self

    @model_validator(mode="after")
    def tranches_pay_each_stichtag_once(self) -> RuleSet:
        shares: dict[date, Decimal] = {}
        for payment in self.payments:
            shares[payment.stichtag] = shares.get(payment.stichtag, Decimal(0)) + payment.share
        for day, total in shares.items():
            if total != 1:
                raise ValueError(
                    f"Die Anteile der Auszahlungen zum Stichtag {format_date(day)} ergeben {total}, nicht 1"
                )
        return self

    def tranches(self, stichtag: date) -> list[Payment]:
        """The tranches that pay the allowance counted on `stichtag`, in the order they are due."""
        return sorted((p for p in self.payments if p.stichtag == stichtag), key=lambda p: (p.paid_on, p.name))

    @property
    def rounding_mode(self) -> str:
        """The `decimal` module's rounding constant for this period."""
        return _ROUNDING[self.rounding]

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until

    def period_text(self) -> str:
        """'01.01.2017 bis 31.12.2019', for messages."""
        return f"{format_date(self.valid_from)} bis {format_date(self.valid_until)}"

    def rate_on(self, day: date) -> Decimal:
        """The per-person rate in force on `day`; RulesError when none is."""
        for rate in self.rates:
            if rate.valid_from <= day <= rate.valid_until:
                return rate.per_person_eur
        raise RulesError(
            f"Für den {format_date(day)} gilt keine Pro-Kopf-Pauschale ({self.name}: {self.period_text()})."
        )


def bundled_rule_ids() -> list[str]:
    """Ids of the rule files shipped with Pakt."""
    return sorted(path.stem for path in RULES_DIR.glob("*.toml"))


def load_rules_file(path: Path) -> RuleSet:
    """Read and check one rules file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return RuleSet.model_validate(data)
    except OSError as exc:
        raise ConfigError(f"Die Regeldatei {path} kann nicht gelesen werden: {exc.strerror}.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Die Regeldatei {path} ist kein gültiges TOML: {exc}.") from exc
    except ValidationError as exc:
        details = "; ".join(describe_config_error(e) for e in exc.errors()[:5])
        raise ConfigError(f"Die Regeldatei {path} ist unvollständig oder fehlerhaft: {details}.") from exc


@lru_cache(maxsize=32)
def _load_cached(path: Path) -> RuleSet:
    return load_rules_file(path)


def load_rules(ref: str, base_dir: Path | None = None) -> RuleSet:
    """Load rules by bundled id ('pfi-2017-2019') or by a path to a TOML file."""
    bundled = RULES_DIR / f"{ref}.toml"
    if bundled.is_file():
        return _load_cached(bundled)
    candidate = Path(ref)
    if base_dir is not None and not candidate.is_absolute():
        candidate = base_dir / candidate
    if candidate.suffix == ".toml" and candidate.is_file():
        return _load_cached(candidate.resolve())
    known = ", ".join(bundled_rule_ids())
    raise ConfigError(f"Regeln „{ref}“ sind unbekannt. Mitgeliefert sind: {known}.")
