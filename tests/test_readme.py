"""README.md and the guides stay true: README's commands are the ones CI runs, it stays a first day's page,
every guide is linked and every link leads somewhere, and the clerks' guide explains every finding code."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from pakt.schemas import Code

GUIDES = ("gemeinden.md", "landratsamt.md", "betrieb.md", "performance.md", "development.md")
README_MOST_LINES = 250
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _pages(repo: Path) -> list[Path]:
    return [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = unicodedata.normalize("NFC", heading.strip().lower())
    return re.sub(r"\s", "-", re.sub(r"[^\w\- ]", "", text))


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {_anchor(m.group(1)) for m in re.finditer(r"^#+ (.+)$", text, re.M)}


def test_ci_runs_the_readme_test_command(repo):
    readme = (repo / "README.md").read_text(encoding="utf-8")
    commands = re.search(r"## Two commands.*?```bash\n(.*?)```", readme, re.S).group(1).splitlines()
    test_command = commands[1].split("#")[0].strip()
    ci = (repo / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1].strip() == test_command


def test_the_readme_is_a_first_days_page(repo):
    lines = (repo / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < README_MOST_LINES, "details belong in docs/, README keeps the first day"


@pytest.mark.parametrize("guide", GUIDES)
def test_the_readme_links_every_guide(repo, guide):
    assert f"](docs/{guide})" in (repo / "README.md").read_text(encoding="utf-8")
    assert (repo / "docs" / guide).is_file()


def test_every_relative_link_leads_to_a_file_and_heading_that_exist(repo):
    broken = []
    for page in _pages(repo):
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_the_clerks_guide_explains_every_finding_code(repo):
    guide = (repo / "docs" / "gemeinden.md").read_text(encoding="utf-8")
    missing = [code.value for code in Code if f"| {code.value} |" not in guide]
    assert not missing, missing


def test_no_page_names_a_module_path_that_is_gone(repo):
    """A guide that names `sync/_overview.py` after the rooms moved it sends a newcomer nowhere."""
    gone = []
    for page in _pages(repo):
        for path in re.findall(
            r"`((?:sync|schemas|plugin|pakt|bench|tests)/[\w/.-]+\.(?:py|toml|js|json))`",
            page.read_text(encoding="utf-8"),
        ):
            if not (repo / path).exists():
                gone.append(f"{page.name}: {path}")
    assert not gone, "\n".join(gone)
