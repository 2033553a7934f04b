"""The district's state store (SQLite beside the master): every version, source, run, decision and note, typed
as records; `pakt status` reads it alone.

May import: files, reader, google, sources.
"""
