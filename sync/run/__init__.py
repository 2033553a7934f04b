"""One sync run, the main job: list the sources, read what changed, decide which file counts for whom, store,
consolidate, write the masters; and Aktualisieren's refresh of an open master.

May import: every room above it (files … master).
"""
