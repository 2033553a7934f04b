"""Pakt: spreadsheet-native reporting for the Pakt für Integration of a German district.

One import package with three faces and a root above them:

    pakt.schemas   the single source of truth: models, rules, arithmetic, validation, the reader
    pakt.plugin    the spreadsheet side: template, formulas, Prüfen/Einreichen/Aktualisieren, add-in server
    pakt.sync      the sync service: sources, state store, consolidation, the master workbooks
    pakt.cli       the `pakt` command, and the root modules that wire plugin and sync together

Imports point down: `schemas` imports nothing of ours; `plugin` and `sync` import
`schemas` and never each other; only the root's modules import both. The
repository keeps the faces as top-level folders (schemas/, plugin/, sync/);
pyproject.toml installs them inside this package.

Importing `pakt` itself imports nothing else, so `pakt --help` starts fast.
"""

__version__ = "0.1.0"

__all__: list[str] = []
