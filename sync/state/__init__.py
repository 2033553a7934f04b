"""The state roll-up: district masters read back by name as sources, judged into the state view, kept in the
state's own store and written as the state master.

May import: files, reader, sources, store, view, master (never run or year).
"""
