"""German usage messages for the `pakt` command.

typer (which carries its own copy of click) writes its usage errors and help
labels in English. `GermanGroup` and `GermanCommand` are typer's own command
classes with these things translated: the usage line ("Aufruf:"), the help
option's text, the section titles and the default/required marks of the help
(through typer's own gettext hook), and every usage error, which is re-raised
as a German `UsageError` built from the error's structured parts (the option,
the parameter, the suggestions) and shown in German. Exit code 2 stays, as for
every usage error.

Help and errors are plain text, not Rich panels: rendering typer's panels
imports Rich's Markdown stack and took `pakt --help` from about 0.15 to 0.3
seconds; plain text is what a scheduler's log keeps anyway.
"""

from __future__ import annotations

import re
import sys
from difflib import get_close_matches
from pathlib import Path
from typing import IO, Any

import typer.core
from typer.core import TyperCommand, TyperGroup

USAGE_PREFIX = "Aufruf: "
HELP_TEXT = "Diese Hilfe zeigen und beenden."
OPTIONS_METAVAR = "[OPTIONEN]"
SUBCOMMAND_METAVAR = "BEFEHL [ARGUMENTE]..."

TYPER_TEXTS = {
    "Arguments": "Argumente",
    "Options": "Optionen",
    "Commands": "Befehle",
    "default: {default}": "Voreinstellung: {default}",
    "required": "Pflicht",
    "env var: {var}": "Umgebungsvariable: {var}",
    "Aborted!": "Abgebrochen.",
}
"""typer's help texts that pass through gettext, in German."""

EXPECTED = {
    "integer": "eine ganze Zahl",
    "float": "eine Zahl",
    "boolean": "ja oder nein (true/false)",
    "path": "ein Pfad",
}
"""What a parameter of each type expects, by click's type names."""
TYPE_NAMES = {int: "integer", float: "float", bool: "boolean", Path: "path"}
"""typer's own parameters name their Python type instead."""


def _german_text(message: str) -> str:
    return TYPER_TEXTS.get(message, message)


def use_german_texts() -> None:
    """typer's help sections and marks in German, through the gettext function typer looks them up with."""
    typer.core._ = _german_text  # type: ignore[attr-defined]


def _hint(param: Any) -> str:
    """How the user spelled (or would spell) a parameter: --master, or the argument's name in capitals."""
    if param is None:
        return ""
    opts = getattr(param, "opts", None) or []
    if getattr(param, "param_type_name", "") == "option" and opts:
        return " / ".join(opts)
    return (getattr(param, "metavar", None) or param.name or "").upper().rstrip(".")


_EXTRA_ARGUMENTS = re.compile(r"Got unexpected extra argument\S* \((.*)\)$")


def _type_name(param: Any) -> str:
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if annotation in TYPE_NAMES:
        return TYPE_NAMES[annotation]
    return getattr(getattr(param, "type", None), "name", "") or ""


def _suggestions(possibilities: Any) -> str:
    found = sorted(possibilities or ())
    if not found:
        return ""
    return f" Meinten Sie {found[0]}?" if len(found) == 1 else f" Meinten Sie eines von: {', '.join(found)}?"


def german_message(error: Exception) -> str:
    """The German text for a usage error, from its class and structured parts (never its English text)."""
    kind = type(error).__name__
    param = getattr(error, "param", None)
    if kind == "NoSuchOption":
        return f"Unbekannte Option „{error.option_name}“.{_suggestions(getattr(error, 'possibilities', None))}"
    if kind == "MissingParameter":
        what = "die Option" if getattr(param, "param_type_name", "") == "option" else "das Argument"
        return f"Es fehlt {what} {_hint(param)}."
    if kind == "BadParameter":
        expected = EXPECTED.get(_type_name(param))
        reason = f"erwartet wird {expected}." if expected else "bitte die Eingabe prüfen."
        return f"Ungültiger Wert für {_hint(param)}: {reason}"
    if kind == "BadOptionUsage":
        return f"Die Option „{getattr(error, 'option_name', '')}“ braucht einen Wert."
    message = getattr(error, "message", "") or ""
    extra = _EXTRA_ARGUMENTS.match(message)
    if extra:
        return f"Unerwartete zusätzliche Angabe: {extra.group(1)}."
    return message


def _is_usage_error(error: Exception) -> bool:
    return any(c.__name__ == "UsageError" for c in type(error).__mro__)


def _usage_error_class(error: Exception) -> type:
    """The UsageError class of the library that raised `error` (typer's own copy of click, or click)."""
    return next(c for c in type(error).__mro__ if c.__name__ == "UsageError")


def _show_german(error: Any, file: IO[str] | None = None) -> None:
    """A usage error as the command prints it: the usage line, where help is, the German message."""
    ctx = getattr(error, "ctx", None)
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
        lines.append(f"Hilfe: {ctx.command_path} --help")
        lines.append("")
    lines.append(f"Fehler: {error.format_message()}")
    print("\n".join(lines), file=file or sys.stderr)


_german_classes: dict[type, type] = {}


def _german_class(base: type) -> type:
    """`base` (a UsageError class) with a German show()."""
    if base not in _german_classes:
        _german_classes[base] = type("GermanUsageError", (base,), {"show": _show_german})
    return _german_classes[base]


def _translated(error: Exception) -> Exception:
    """A UsageError of the same library as `error`, with the German message, shown in German."""
    return _german_class(_usage_error_class(error))(german_message(error), ctx=getattr(error, "ctx", None))


class _German:
    """The translated parts shared by commands and groups."""

    def get_usage(self, ctx: Any) -> str:
        usage = super().get_usage(ctx)  # type: ignore[misc]
        return usage.replace("Usage: ", USAGE_PREFIX, 1)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except Exception as error:
            if type(error).__name__ == "NoArgsIsHelpError" or not _is_usage_error(error):
                raise
            raise _translated(error) from None


class GermanCommand(_German, TyperCommand):
    """A typer command whose usage errors and help labels are German."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["options_metavar"] = OPTIONS_METAVAR
        super().__init__(*args, **kwargs)


class GermanGroup(_German, TyperGroup):
    """A typer group (the `pakt` command, `pakt token`) whose usage errors and help labels are German."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["options_metavar"] = OPTIONS_METAVAR
        kwargs["subcommand_metavar"] = SUBCOMMAND_METAVAR
        super().__init__(*args, **kwargs)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as error:
            if not _is_usage_error(error):
                raise
            name = args[0] if args else ""
            close = get_close_matches(name, list(self.commands))
            german = _german_class(_usage_error_class(error))
            raise german(f"Unbekannter Befehl „{name}“.{_suggestions(close)}", ctx=ctx) from None
