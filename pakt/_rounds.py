"""`pakt round start`: close the running round and open the next one.

Everything is checked before anything is written: the new round's dates and
rules, and what the ending round leaves open (submissions not decided,
corrections owed, money approved but not paid), which refuses the start unless
the district says to keep it open (`--keep-open`: it stays settleable with
`--stichtag`). A sync first makes the master current, so the master kept as the
round's record shows what the store holds. Then the new round's forms
are written to a folder of their own, the ending round's master is kept under
its Stichtag, and pakt.toml is replaced last (atomically), so a failure
anywhere leaves the district in the old round with nothing lost.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from pakt.plugin import workbook_filename, write_templates
from pakt.schemas import (
    ConfigError,
    PaktError,
    Registry,
    ReportingRound,
    format_date,
    load_rules,
    write_next_round,
)
from pakt.sync import StateStore, SyncResult, master_path, state_path
from pakt.sync.files._file_access import FileAccess
from pakt.sync.files._run_lock import RunLock
from pakt.sync.master._files import archive_master
from pakt.sync.sources._folder_scan import registered_path
from pakt.sync.year._rounds import OpenItems, last_submissions, open_items


@dataclass(frozen=True)
class RoundStarted:
    """What `pakt round start` did."""

    ending: ReportingRound
    new: ReportingRound
    forms: list[Path]
    archived_master: Path | None
    carried_over: int
    """Forms pre-filled from a municipality's last submission."""
    left_open: OpenItems | None = None
    """What the ending round leaves open (settleable with --stichtag)."""
    opened: SyncResult | None = None
    """The first run of the new round (its masters)."""


def _check_new_round(registry: Registry, new: ReportingRound) -> None:
    ending = registry.round
    if new.stichtag <= ending.stichtag:
        raise ConfigError(
            f"Der neue Stichtag {format_date(new.stichtag)} liegt nicht nach dem laufenden "
            f"({format_date(ending.stichtag)})."
        )
    if new.deadline is not None and new.deadline < new.stichtag:
        raise ConfigError(
            f"Die Abgabefrist {format_date(new.deadline)} liegt vor dem Stichtag {format_date(new.stichtag)}."
        )
    rules = load_rules(new.rules, registry.base_dir)
    if not rules.covers(new.stichtag):
        raise ConfigError(
            f"Die Regeln „{rules.name}“ gelten vom {rules.period_text()}, nicht am Stichtag "
            f"{format_date(new.stichtag)}. Bitte mit --rules die Regeln des neuen Förderzeitraums angeben."
        )


def _inside_sources(registry: Registry, folder: Path) -> bool:
    """Whether sync would read forms in `folder` (a source folder, not excluded): pre-filled forms would
    then count as submissions with their persons missing."""
    resolved = folder.resolve()
    for source in registry.sources.folders:
        root = registry.resolve(source).resolve()
        if resolved == root or root in resolved.parents:
            relative = PurePosixPath(resolved.relative_to(root).as_posix())
            return not any(relative.match(pattern) or pattern in relative.parts for pattern in registry.sources.exclude)
    return False


def _new_workbook_paths(registry: Registry, stichtag: date) -> dict[str, str]:
    """Registered workbook files get the new round's name in the same folder (where the filled form is
    expected back), ending as the municipality's form does (.xlsx or .ods); Google sheets and unregistered
    municipalities stay as they are."""
    moved = {}
    for municipality in registry.municipalities:
        if registered_path(registry, municipality.workbook_ref) is None:
            continue
        folder = os.path.dirname(municipality.workbook or "")
        name = workbook_filename(municipality, stichtag, registry.template_format(municipality))
        moved[municipality.ags] = f"{folder}/{name}" if folder else name
    return moved


def _ending_round_open(registry: Registry, keep_open: bool) -> OpenItems:
    """Sync (the master kept for the round then shows what the store holds) and what the round leaves open;
    PaktError listing it unless `keep_open`."""
    from pakt.sync import SyncOptions, run_sync
    from pakt.sync.view._payments import payment_plan

    result = run_sync(registry, SyncOptions(need_view=True))
    if result.exit_code:
        raise PaktError(
            "Vor dem Rundenwechsel muss die Übersicht aktuell sein: "
            + "; ".join(failure.message for failure in result.failures)
        )
    stichtag = registry.round.stichtag
    with StateStore(result.state) as store:
        plan = payment_plan(result.view, result.view.rules.tranches(stichtag), store.paid_lines(stichtag))
    found = open_items(result.view, plan)
    if not found.empty and not keep_open:
        day = format_date(stichtag)
        raise PaktError(
            f"Die Runde zum Stichtag {day} hat noch offene Posten:\n  "
            + "\n  ".join(found.lines())
            + f"\nBitte erst erledigen (pakt approve, pakt payments) oder mit --keep-open die neue Runde trotzdem "
            f"beginnen: die offenen Posten bleiben mit --stichtag {day} abrechenbar."
        )
    return found


def start_round(
    config: Path, registry: Registry, new: ReportingRound, out_dir: Path | None, keep_open: bool = False
) -> RoundStarted:
    """Close the running round, open `new`: forms, the kept master, the registry (in this order)."""
    _check_new_round(registry, new)
    out = out_dir or registry.resolve(f"vorlagen/{new.stichtag.isoformat()}")
    if _inside_sources(registry, out):
        raise PaktError(
            f"Der Zielordner {out} liegt in einem Quellordner ([sources] folders): die vorausgefüllten Mappen "
            "würden beim Abgleich als Meldungen gelesen. Bitte einen anderen Ordner mit --out angeben oder ihn "
            "unter [sources] exclude eintragen."
        )
    left_open = _ending_round_open(registry, keep_open)
    master = master_path(registry)
    state = state_path(registry, master)
    with RunLock(state.with_name(state.name + ".lock"), 30.0):
        previous = last_submissions(registry, state)
        next_registry = registry.model_copy(update={"round": new})
        forms = write_templates(next_registry, out, previous=previous, with_stichtag=True)
        archived = archive_master(master, registry.round.stichtag, FileAccess.of(registry))
        write_next_round(config, new, _new_workbook_paths(registry, new.stichtag))
    opened = _open_new_round(config)
    return RoundStarted(registry.round, new, forms, archived, len(previous), left_open, opened)


def _open_new_round(config: Path) -> SyncResult:
    """The masters of the new round, written at once: a master that shows the ended round while pakt.toml
    names the new one would not show what the store holds."""
    from pakt.schemas import load_registry
    from pakt.sync import SyncOptions, run_sync

    return run_sync(load_registry(config), SyncOptions())
