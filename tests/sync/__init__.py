"""Tests of ``mlanki sync`` (a package, so its conftest does not shadow tests/conftest.py)."""
