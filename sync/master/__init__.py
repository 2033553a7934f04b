"""The district master: the Übersicht's column table, the fixed layout, the sheets as grids (Übersicht,
Integrationsmanager, Prüfbericht, Auszahlung, Zeitreihe, Auswertung), the xlsx and Google writers, the atomic
file write, and knowing whether each master shows what the store holds.

May import: every room above it (files, reader, google, sources, store, view).
"""
