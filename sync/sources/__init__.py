"""Where submissions come from: the `Source` protocol the run loop talks to, the folder source (scan by stat,
read changed files) and the Google Sheets source, and intake (a read draft checked and ready to store).

May import: files, reader, google.
"""
