"""Writing the next round into pakt.toml, keeping the district's comments and layout (tomlkit).

The ending round moves to `[[rounds]]` with its Stichtag, deadline and rules;
`[round]` gets the new ones; registered workbook files get the new round's
file names in the same folders. The file is replaced atomically: a crash
leaves the old registry or the new one, never half of each.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError

from ._errors import ConfigError
from ._registry import ReportingRound, load_registry


def _round_table(round_: ReportingRound) -> tomlkit.items.Table:
    table = tomlkit.table()
    table["stichtag"] = round_.stichtag
    if round_.deadline is not None:
        table["deadline"] = round_.deadline
    table["rules"] = round_.rules
    return table


def next_round_text(text: str, new_round: ReportingRound, workbooks: Mapping[str, str]) -> str:
    """pakt.toml's text with `new_round` running and the current round kept under [[rounds]].

    `workbooks`: new `workbook` values by AGS (only registered files change; Google sheets stay).
    """
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as error:
        raise ConfigError(f"Die Konfigurationsdatei ist kein gültiges TOML: {error}.") from error
    ending = ReportingRound.model_validate(document["round"].unwrap())
    rounds = document.get("rounds")
    if rounds is None:
        rounds = tomlkit.aot()
        document.add(tomlkit.nl())
        document.add(
            tomlkit.comment("Earlier rounds, kept by `pakt round start` (their figures stay in the Zeitreihe).")
        )
        document["rounds"] = rounds
    rounds.append(_round_table(ending))
    current = document["round"]
    current["stichtag"] = new_round.stichtag
    if new_round.deadline is not None:
        current["deadline"] = new_round.deadline
    elif "deadline" in current:
        del current["deadline"]
    current["rules"] = new_round.rules
    for entry in document.get("municipalities", []):
        if entry.get("ags") in workbooks:
            entry["workbook"] = workbooks[entry["ags"]]
    return tomlkit.dumps(document)


def write_next_round(path: Path, new_round: ReportingRound, workbooks: Mapping[str, str]) -> None:
    """Replace pakt.toml atomically with the next round; the result must load as a registry, or nothing
    is written (ConfigError)."""
    text = next_round_text(path.read_text(encoding="utf-8"), new_round, workbooks)
    handle, temporary = tempfile.mkstemp(prefix=".pakt-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        load_registry(Path(temporary))  # the new registry must be usable before it replaces the old one
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
