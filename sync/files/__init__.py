"""The district's files on disk, below every other room: who may read them, how a file that may be anything is
opened, one run at a time, where master and store live, and the points where fault tests kill a run.

May import: pakt.schemas only.
"""
