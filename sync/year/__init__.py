"""The programme's year on top of a run: decisions and history (`pakt approve`, `pakt history`), the payment
list per tranche (`pakt payments`), reminders and their mail (`pakt remind`), and what a new round takes over.

May import: every room above it (files … run).
"""
