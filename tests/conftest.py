"""Shared fixtures: a throwaway project folder holding a copy of the bundled source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "source" / "ml-micro-learning.md"
FIXED_NOW = 1_764_000_000  # stamps for notes that change in a test build: no wall clock in tests


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A folder with source/ml-micro-learning.md (a copy), as the working directory."""
    (tmp_path / "source").mkdir()
    shutil.copy(BUNDLED, tmp_path / "source" / BUNDLED.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path
