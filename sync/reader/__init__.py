"""The hardened workbook reader: an xlsx or OpenDocument (.ods) file as a `WorkbookView`, its sheets scanned
fast and safely, every file read in a worker with a time and memory budget, file-level problems, the master's
binding names (so a reader knows a district master when it meets one), and `pakt validate`'s library.

May import: files.
"""
