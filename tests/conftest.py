"""Shared fixtures: a throwaway project folder holding a frozen copy of the bundled source.

Tests that assert exact contents (line numbers, counts, wording) use ``tests/fixtures/``, a copy of
``source/`` as it was when they were written, so a maintainer editing ``source/`` breaks no test.
``tests/test_roundtrip.py`` checks the live ``source/`` by properties only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "tests" / "fixtures" / "ml-micro-learning.md"
LIVE_SOURCE = ROOT / "source"
FIXED_NOW = 1_764_000_000  # stamps for notes that change in a test build: no wall clock in tests


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A folder with source/ml-micro-learning.md (the frozen fixture), as the working directory."""
    (tmp_path / "source").mkdir()
    shutil.copy(BUNDLED, tmp_path / "source" / BUNDLED.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path
