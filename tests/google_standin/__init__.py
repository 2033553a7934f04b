"""A local stand-in of the Sheets API v4 and Drive API v3 subset Pakt uses (see model.py and app.py)."""
