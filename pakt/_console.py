"""Where the `pakt` commands print: stdout and stderr consoles made on first use, escaping, --json answers.

Kept apart from the command definitions so that every command module (cli.py, _state_cli.py, ...) prints the
same way without importing the command table.
"""

import json
import sys
from typing import Any


class _LazyConsole:
    """A Rich console made on first use: importing Rich's console costs a fifth of `pakt --help`."""

    def __init__(self, **settings: Any) -> None:
        self._settings = settings
        self._console: Any = None

    def real(self) -> Any:
        """The Rich console itself (for Rich objects that use it as a context manager)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._settings)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


def escape(text: str) -> str:
    """Text printed as it is, never as Rich markup (cell text and file names come from outside)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


# emoji=False: a file or municipality name with ":smile:" in it is printed as it is, not as an emoji
out = _LazyConsole(soft_wrap=True, highlight=False, emoji=False)
err = _LazyConsole(stderr=True, soft_wrap=True, highlight=False, emoji=False)


def print_json(data: Any) -> None:
    """A command's --json answer on stdout: plain, indented, UTF-8, for programs rather than people (Rich's
    console and its colours cost a tenth of a second of start-up, for a scheduler that reads nothing of them)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
