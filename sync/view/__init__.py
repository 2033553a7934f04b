"""The district view, pure and without I/O: consolidation of the current submissions into rows and totals, where
a row stands, what changed between two versions, and the allowance split into the rules' tranches.

May import: files, reader, google, sources, store.
"""
