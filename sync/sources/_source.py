"""Where municipal workbooks come from: the `Source` protocol the run loop talks to.

    Source            one kind of place that holds submissions
    ├── FolderSource  workbook files under the registry's folders (a network share)
    └── GoogleSheetsSource  Google spreadsheets the registry names

A source lists what it holds now, each entry with a stamp (size and time, or
Drive's version and modifiedTime) that says whether it changed since the last
run; reads the changed entries into intakes; and describes where an entry
lives, for links and messages. Each source owns the keys it hands out (the
state store's key of an entry); nothing outside a source looks inside a key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pakt.schemas import EnvironmentFailure, Link, Municipality

if TYPE_CHECKING:
    from datetime import date

    from pakt.schemas import Finding


@dataclass(frozen=True)
class SourceEntry:
    """One submission a source holds, with the stamp that decides whether it changed.

    `key` is the state store's key. For a file it is its path as text (scanning
    10,000 files builds no Path objects); `size` and `mtime_ns` are the file's, or
    stand in for a spreadsheet's version and modification time.
    """

    key: str
    size: int
    mtime_ns: int
    unknown: bool = False
    """Present, but its stamp could not be learnt this run (its source was unreachable): it is not read,
    and what the store holds for it stands."""

    @property
    def path(self) -> Path:
        return Path(self.key)


@dataclass(frozen=True)
class Intake:
    """What reading one entry produced, ready to store: a checked submission as JSON, or a problem.

    Plain strings travel back from worker processes far cheaper than models.
    `busy`: the entry could not be read this time (being written, unreachable);
    nothing is stored for it and the next run tries again.
    """

    source: SourceEntry
    sha256: str | None = None
    ags: str | None = None
    stichtag: date | None = None
    valid: bool = False
    submission_json: str | None = None
    findings_json: str = "[]"
    locations_json: str = "{}"
    problem: Finding | None = None
    busy: bool = False


@dataclass(frozen=True)
class Note:
    """Something a source passed over on purpose, said in German."""

    path: str
    message: str


@dataclass
class Listing:
    """What the sources hold now, what they passed over, and what failed for a whole source."""

    entries: list[SourceEntry] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    failures: list[EnvironmentFailure] = field(default_factory=list)

    def extend(self, other: Listing) -> None:
        self.entries += other.entries
        self.notes += other.notes
        self.failures += other.failures


@dataclass(frozen=True)
class Place:
    """Where an entry lives, as links and people need it: a file, or a web address."""

    label: str
    path: str | None = None
    url: str | None = None

    def link(self, sheet: str | None, cell: str | None) -> Link:
        tip = f"Quelle: {self.label}, Blatt {sheet}, Zelle {cell}" if sheet and cell else f"Quelle: {self.label}"
        return Link(self.path, self.url, sheet, cell, tip)


Tick = Callable[[], None]


class Source(Protocol):
    """One kind of place that holds municipal submissions."""

    def owns(self, key: str) -> bool:
        """Whether a state-store key is one of this source's entries."""
        ...

    def listing(self) -> Listing:
        """Every entry the source holds now, with its stamp; reads no content."""
        ...

    def read(self, entries: Sequence[SourceEntry], tick: Tick) -> Iterator[Intake]:
        """Read and check the given entries; one intake each, in any order; `tick` after each."""
        ...

    def place(self, key: str) -> Place:
        """Where the entry lives."""
        ...

    def registered_key(self, municipality: Municipality) -> str | None:
        """The key of the workbook the registry names for this municipality, if it names one here."""
        ...


class SourceSet:
    """All of a district's sources, asked as one."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self.sources = tuple(sources)

    def listing(self) -> Listing:
        combined = Listing()
        for source in self.sources:
            combined.extend(source.listing())
        return combined

    def owner(self, key: str) -> Source:
        owner = next((s for s in self.sources if s.owns(key)), None)
        if owner is None:
            raise KeyError(key)
        return owner

    @property
    def failures(self) -> list[EnvironmentFailure]:
        """What failed for a whole source while it read (an API not enabled): said once for the run."""
        return [f for s in self.sources for f in getattr(s, "failures", ())]

    def read(self, entries: Sequence[SourceEntry], tick: Tick) -> Iterator[Intake]:
        """Intakes of every entry, source by source."""
        for source in self.sources:
            mine = [e for e in entries if source.owns(e.key)]
            if mine:
                yield from source.read(mine, tick)

    def place(self, key: str) -> Place:
        for source in self.sources:
            if source.owns(key):
                return source.place(key)
        return Place(Path(key).name, path=key)

    def registered_key(self, municipality: Municipality) -> str | None:
        return next((k for s in self.sources if (k := s.registered_key(municipality)) is not None), None)
