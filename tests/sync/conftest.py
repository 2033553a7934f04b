"""Sync tests use the shared `district` fixture of tests/conftest.py."""
