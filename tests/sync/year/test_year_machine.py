"""The district's year as one system: a Hypothesis state machine plays it, and after every step the seams hold.

The rules are the events of a year in a small district (four municipalities of the sample):
a clerk's file appears, changes, breaks or is deleted; staff sync, approve, reject and type notes
into the master; a tranche is paid; reminders go out; a new round starts; and any command is killed
at one of its failpoints or finds the disk full there.

The invariants, checked after every step:

- the master equals a master rebuilt from the store (and the same files) after every command that ended:
  a killed one leaves that to the next, and a file saved since waits for the next run;
- the Auszahlung adds up: per municipality, its lines (paid, open and withheld) equal the allowance the
  Übersicht shows, to the cent;
- what the store records as paid is what the master shows as angewiesen, and no line is ever issued
  twice: every line in the finance office's list files is a recorded line, each recorded once;
- nothing of an earlier round becomes unreachable: its versions, decisions and paid lines stay, and its
  kept master exists;
- no reminder goes out twice within `repeat_days` without `--again`;
- an earlier round's open lines stay on the master's Auszahlung and payable with `--stichtag`.

CI runs a bounded number of examples (PAKT_YEAR_EXAMPLES, PAKT_YEAR_STEPS); a soak is one variable away:
`PAKT_YEAR_EXAMPLES=500 PAKT_YEAR_STEPS=40 python -m pytest tests/sync/year/test_year_machine.py`.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from master_reading import assert_master_current, sheet_rows

from pakt.plugin import Binding, build_workbook_bytes
from pakt.schemas import PaktError, Registry, ReportingRound, load_registry, load_rules
from pakt.sync import ApproveRequest, RemindOptions, StateStore, SyncOptions, approve, remind, run_sync

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "sample_workbooks"))
import generate as sample  # noqa: E402

pytestmark = pytest.mark.slow

MUNICIPALITIES = 4
ROUNDS = (date(2019, 6, 30), date(2019, 12, 31))
"""The rounds a year may open after the sample's 30.06.2018 (the bundled rules cover them)."""
KILL_POINTS = (
    "listed", "stored:1", "consolidated", "master-temp", "master-written", "finished",
    "payments-issued", "payments-file-written:1", "payments-file-written:2", "payments-written",
)  # fmt: skip
"""Where a command dies (a point it never passes lets it finish): a run's phases, then a payment list's steps."""
STEPS_RUN: Counter = Counter()
"""Steps and examples the machine ran, printed at the end of the session (tests/conftest.py)."""


def _district(root: Path) -> None:
    entries = sample.municipalities()[:MUNICIPALITIES]
    (root / "sample_workbooks").mkdir(parents=True)
    (root / "pakt.toml").write_text(sample.registry_toml(entries), encoding="utf-8")


def _money(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


class DistrictYear(RuleBasedStateMachine):
    """One district through its year; the store and the files on disk are the truth, the model only
    remembers what it asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="pakt-year-"))
        _district(self.root)
        self.kasse = self.root / "kasse"
        self.lists = 0
        self.ended = True
        """Whether the last command ran to its end (a killed one leaves the master to the next run)."""
        self.files_changed = False
        """A clerk saved or deleted a file since the last command: the master shows it after the next run."""
        self.forced: set[tuple] = set()
        """Reminders sent with --again (they may repeat one sent shortly before)."""
        STEPS_RUN["examples"] += 1

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------------------------

    def registry(self) -> Registry:
        return load_registry(self.root / "pakt.toml")

    def municipality(self, index: int):
        return self.registry().municipalities[index % MUNICIPALITIES]

    def pakt(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["pakt", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, **(env or {})},
        )

    def step(self, name: str) -> None:
        STEPS_RUN["steps"] += 1
        STEPS_RUN[name] += 1

    def command(self, name: str) -> None:
        self.step(name)
        self.files_changed = False

    # -- the clerks' files -----------------------------------------------------------------------

    @rule(index=st.integers(0, MUNICIPALITIES - 1), extra=st.integers(-3, 12), signed=st.booleans())
    def a_file_is_saved(self, index: int, extra: int, signed: bool) -> None:
        self.step("file saved")
        self.files_changed = True
        registry = self.registry()
        municipality = self.municipality(index)
        position = [m.ags for m in sample.municipalities()].index(municipality.ags)
        persons = max(sample.MUNICIPALITIES[position][2] + extra, 0)
        managers = [dict(row) for row in sample.manager_rows()[municipality.name]]
        fte = sum((row["fte"] for row in managers), Decimal(0))
        values = sample.submission_values(position, municipality, persons, fte)
        values[("sign_off", "submitted")] = signed
        stichtag = registry.round.stichtag
        binding = Binding(
            registry.district, load_rules(registry.round.rules), stichtag, municipality, registry.round.deadline
        )
        path = registry.resolve(municipality.workbook)
        path.write_bytes(build_workbook_bytes(binding, values, managers))

    @rule(index=st.integers(0, MUNICIPALITIES - 1))
    def a_file_breaks(self, index: int) -> None:
        self.step("file broken")
        self.files_changed = True
        registry = self.registry()
        path = registry.resolve(self.municipality(index).workbook)
        data = path.read_bytes() if path.exists() else b"PK\x03\x04"
        path.write_bytes(data[: max(len(data) // 3, 4)])

    @rule(index=st.integers(0, MUNICIPALITIES - 1))
    def a_file_is_deleted(self, index: int) -> None:
        self.step("file deleted")
        self.files_changed = True
        self.registry().resolve(self.municipality(index).workbook).unlink(missing_ok=True)

    # -- the district's commands -----------------------------------------------------------------

    @rule()
    def sync(self) -> None:
        self.command("sync")
        run_sync(self.registry(), SyncOptions(retry_delay_s=0.05))
        self.ended = True

    @rule(index=st.integers(0, MUNICIPALITIES - 1), reject=st.booleans(), every=st.booleans())
    def staff_decide(self, index: int, reject: bool, every: bool) -> None:
        self.command("decision")
        name = self.municipality(index).name
        request = ApproveRequest(
            () if every and not reject else (name,),
            "zurückgewiesen" if reject else "freigegeben",
            "Zahlen prüfen" if reject else "",
            "Amt",
            datetime.now(),
            every=every and not reject,
        )
        approve(self.registry(), request, SyncOptions(retry_delay_s=0.05))
        self.ended = True

    @rule(index=st.integers(0, MUNICIPALITIES - 1), note=st.sampled_from(["Rückruf", "Kämmerei fragen", ""]))
    def staff_type_a_note(self, index: int, note: str) -> None:
        self.command("note")
        registry = self.registry()
        master = registry.resolve(registry.master.path)
        if not master.exists():
            return
        import openpyxl

        book = openpyxl.load_workbook(master)
        sheet = book["Übersicht"]
        header = [cell.value for cell in sheet[5]]
        ags = self.municipality(index).ags
        for row in sheet.iter_rows(min_row=6):
            if row[0].value == ags:
                row[header.index("Bemerkung")].value = note or None
        book.save(master)
        run_sync(registry, SyncOptions(retry_delay_s=0.05))
        self.ended = True

    @rule()
    def a_tranche_is_paid(self) -> None:
        self.command("payments")
        self.lists += 1
        done = self.pakt("payments", "--out", str(self.kasse / f"liste_{self.lists}.csv"))
        assert done.returncode in (0, 2), done.stderr
        assert "Traceback" not in done.stderr
        self.ended = True

    @rule(again=st.booleans())
    def reminders_go_out(self, again: bool) -> None:
        self.command("reminders again" if again else "reminders")
        before = self.reminders_logged()
        remind(self.registry(), RemindOptions(out=self.root / "erinnerungen", again=again))
        if again:
            self.forced |= set(self.reminders_logged()) - set(before)
        self.ended = True

    def reminders_logged(self) -> list[tuple]:
        store = self.store()
        if store is None:
            return []
        with store:
            return store.db.execute("SELECT id, stichtag, ags, reason, about, sent_at FROM reminders_sent").fetchall()

    @precondition(lambda self: len(self.registry().rounds) < len(ROUNDS))
    @rule()
    def a_new_round_starts(self) -> None:
        self.command("new round")
        from pakt._rounds import start_round

        registry = self.registry()
        stichtag = ROUNDS[len(registry.rounds)]
        new = ReportingRound(stichtag=stichtag, rules=registry.round.rules)
        start_round(self.root / "pakt.toml", registry, new, self.root / "vorlagen" / stichtag.isoformat(), True)
        self.ended = True

    @rule(
        command=st.sampled_from(["sync", "approve", "payments"]),
        point=st.sampled_from(KILL_POINTS),
        full=st.booleans(),
    )
    def a_command_dies(self, command: str, point: str, full: bool) -> None:
        self.command(f"{command} {'full disk' if full else 'killed'}")
        args = {
            "sync": ("sync",),
            "approve": ("approve", "--all"),
            "payments": ("payments", "--out", str(self.kasse / f"liste_{self.lists + 1}.csv")),
        }[command]
        if command == "payments":
            self.lists += 1
        done = self.pakt(*args, env={"PAKT_FULL_AT" if full else "PAKT_KILL_AT": point})
        assert "Traceback" not in done.stderr, done.stderr
        self.ended = done.returncode >= 0 and not full

    # -- the seams -------------------------------------------------------------------------------

    def store(self) -> StateStore | None:
        registry = self.registry()
        from pakt.sync import master_path, state_path

        state = state_path(registry, master_path(registry))
        return StateStore(state) if state.exists() else None

    @invariant()
    def the_master_shows_what_the_store_holds(self) -> None:
        registry = self.registry()
        if not self.ended or self.files_changed or not registry.resolve(registry.master.path).exists():
            return
        assert_master_current(registry)

    @invariant()
    def the_payments_add_up_to_the_allowance(self) -> None:
        registry = self.registry()
        master = registry.resolve(registry.master.path)
        if not self.ended or not master.exists():
            return
        overview = sheet_rows(master, "Übersicht")
        header = overview[4]
        allowance = {
            row[0]: Decimal(str(row[header.index("Pro-Kopf-Pauschale")] or 0)).quantize(Decimal("0.01"))
            for row in overview[5 : 5 + MUNICIPALITIES]
        }
        lines = sheet_rows(master, "Auszahlung")
        start = next(i for i, row in enumerate(lines) if row and row[0] == "AGS")
        columns = lines[start]
        planned: dict[str, Decimal] = {}
        for row in lines[start + 1 :]:
            if row and str(row[0]).startswith("Offen aus früheren Runden"):
                break  # the round's own lines end here
            if row and row[0] in allowance:
                amount = Decimal(str(row[columns.index("Betrag")])).quantize(Decimal("0.01"))
                planned[row[0]] = planned.get(row[0], Decimal(0)) + amount
        for ags, total in allowance.items():
            assert planned.get(ags, Decimal(0)) == total, (ags, planned.get(ags), total)

    @invariant()
    def no_line_is_paid_twice(self) -> None:
        store = self.store()
        if store is None:
            return
        with store:
            recorded = Counter()
            for stichtag in [self.registry().round.stichtag, *(r.stichtag for r in self.registry().rounds)]:
                for line in store.paid_lines(stichtag):
                    recorded[(line.ags, line.tranche, line.kind, line.amount)] += 1
        in_files = Counter()
        for path in sorted(self.kasse.glob("*.csv")) if self.kasse.exists() else []:
            with path.open(encoding="utf-8-sig", newline="") as file:
                for row in csv.DictReader(file, delimiter=";"):
                    in_files[(row["AGS"], row["Auszahlung"], row["Art"], _money(row["Betrag"]))] += 1
        assert in_files <= recorded, f"in den Listen, aber nicht vermerkt: {in_files - recorded}"

    @invariant()
    def no_reminder_goes_out_twice_without_again(self) -> None:
        repeat = self.registry().mail.repeat_days
        last: dict[tuple, datetime] = {}
        for entry in self.reminders_logged():
            _, stichtag, ags, reason, about, sent_at = entry
            key, when = (stichtag, ags, reason, about), datetime.fromisoformat(sent_at)
            if key in last and entry not in self.forced:
                assert (when.date() - last[key].date()).days >= repeat, f"{ags} zweimal erinnert: {key}"
            last[key] = when

    @invariant()
    def earlier_rounds_stay_reachable(self) -> None:
        registry = self.registry()
        for past in registry.rounds:
            kept = registry.resolve(registry.master.path)
            kept = kept.with_name(f"{kept.stem}_{past.stichtag.isoformat()}.xlsx")
            assert kept.exists(), f"Übersicht der Runde {past.stichtag} fehlt"
        master = registry.resolve(registry.master.path)
        if not registry.rounds or not self.ended or self.files_changed or not master.exists():
            return
        store = self.store()
        with store:
            from pakt.sync.run._round_plans import earlier_open_lines

            open_lines = earlier_open_lines(registry, store)
        rows = sheet_rows(master, "Auszahlung")
        heading = next((i for i, row in enumerate(rows) if row and str(row[0]).startswith("Offen aus früheren")), None)
        shown = [row for row in rows[heading + 2 :] if row and row[0]] if heading is not None else []
        assert len(shown) == len(open_lines), "offene Zeilen früherer Runden fehlen auf dem Blatt Auszahlung"


DistrictYear.TestCase.settings = settings(
    max_examples=int(os.environ.get("PAKT_YEAR_EXAMPLES", "6")),
    stateful_step_count=int(os.environ.get("PAKT_YEAR_STEPS", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestDistrictYear = DistrictYear.TestCase


def test_nothing_of_an_earlier_round_is_lost_by_a_plain_error():
    """A command refused with a German message (nothing to pay) leaves every store table as it was."""
    root = Path(tempfile.mkdtemp(prefix="pakt-year-"))
    try:
        _district(root)
        registry = load_registry(root / "pakt.toml")
        run_sync(registry, SyncOptions(retry_delay_s=0.05))
        from pakt.sync import write_payment_list

        with pytest.raises(PaktError, match="nichts anzuweisen"):
            write_payment_list(registry, root / "kasse" / "leer.csv")
        assert not (root / "kasse" / "leer.csv").exists()
    finally:
        shutil.rmtree(root, ignore_errors=True)
