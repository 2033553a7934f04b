"""README.md stays true: its commands are the ones CI runs, and it lists every finding code."""

from __future__ import annotations

import re

from pakt.schemas import Code


def test_ci_runs_the_readme_test_command(repo):
    readme = (repo / "README.md").read_text(encoding="utf-8")
    commands = re.search(r"## Two commands.*?```bash\n(.*?)```", readme, re.S).group(1).splitlines()
    test_command = commands[1].split("#")[0].strip()
    ci = (repo / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1].strip() == test_command


def test_every_finding_code_is_documented(repo):
    readme = (repo / "README.md").read_text(encoding="utf-8")
    for code in Code:
        assert f"| {code.value} |" in readme, code
