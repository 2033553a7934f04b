"""Google's APIs as Pakt talks to them: the swappable HTTP client with shared per-minute quotas and backoff,
Google's refusals told apart in German, Drive's listing and export, Sheets values with their types, and what a
run needs to know about Google before it imports Google's client.

May import: files.
"""
