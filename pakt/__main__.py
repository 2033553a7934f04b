"""`python -m pakt` runs the `pakt` command."""

from pakt.cli import main

main()
