"""Hostile sources of a megabyte or two: ``build`` and ``check`` end cleanly, never with a traceback.

The sources come from ``benchmarks/adversarial.py`` (which times them at 10 MB; here only correctness
is asserted, never speed): exit 0 or 1, every error line shaped ``file:line: error: ...``, ``check``
failing exactly when ``build`` does, the previously published outputs byte for byte the same after a
failed build, and a successful build's package imported into a fresh collection by the official
``anki`` package with every card rendered. The subprocess timeout is only a guard against a hang.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from anki_support import fresh_collection, import_package
from conftest import FIXED_NOW, ROOT
from mlanki.build import build

sys.path.insert(0, str(ROOT / "benchmarks"))
import adversarial  # noqa: E402 - the generator lives with its benchmark

MB = adversarial.MB
# The worst cases at sizes that keep the suite fast (the bounds they hit do not depend on size).
SIZES = {
    "one_line": MB, "one_line_question": MB, "many_lines": MB // 2, "nested_lists": MB, "fence": MB,
    "fence_unclosed": MB, "table": MB // 4, "clozes": MB // 2, "emphasis": MB // 2, "images": MB // 2,
    "front_matter": MB // 8, "front_matter_over": MB // 8, "html": MB, "headings": MB // 16,
    "empty_headings": MB // 8, "mix": MB // 2,
}
GOOD = "# **Hostile deck**\nBefore.\n\n## **Topic1: Hostile**\n\n#### A good question?\nA good answer.\n"
HANG_GUARD = 300  # seconds; a hang, not a speed limit


def test_every_case_is_covered():
    assert sorted(SIZES) == sorted(adversarial.CASES)


def _run(command: str, folder: Path) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "mlanki", command, "source"] + (["-o", "out"] if command == "build" else [])
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(FIXED_NOW), NO_COLOR="1")
    return subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=HANG_GUARD)


def _published(folder: Path) -> dict[str, bytes]:
    files = [p for p in (folder / "out").rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    files.append(folder / "source" / "mlanki.lock")
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


@pytest.mark.parametrize("name", sorted(SIZES))
def test_a_hostile_source_builds_or_fails_with_file_line(tmp_path, name):
    source = tmp_path / "source"
    source.mkdir()
    (source / f"{name}.md").write_text(GOOD, encoding="utf-8")
    build(source, tmp_path / "out", now=FIXED_NOW)
    before = _published(tmp_path)
    adversarial.write_case(name, SIZES[name], tmp_path)

    built, checked = _run("build", tmp_path), _run("check", tmp_path)
    for done in (built, checked):
        assert done.returncode in (0, 1), done.stderr[-2000:]
        assert "Traceback" not in done.stderr, done.stderr[-2000:]
        assert adversarial.shape_problems(done.stderr) == [], done.stderr[-2000:]
    assert checked.returncode == built.returncode, (built.stderr[-1000:], checked.stderr[-1000:])
    errors = [line for line in built.stderr.splitlines() if ": error: " in line]
    if built.returncode == 1:
        assert errors and all(re.match(rf"source/{name}\.md:\d+(:\d+)?: error: \S", e) for e in errors), errors
        assert _published(tmp_path) == before, "a failed build changed the published outputs"
        return
    assert errors == []
    (package,) = [p for p in (tmp_path / "out").glob("*.apkg") if re.search(r"-\d+\.\d+\.\d+\.apkg$", p.name)
                  and p.read_bytes() != before.get(f"out/{p.name}")]
    col = fresh_collection(tmp_path)
    try:
        import_package(col, package)
        card_ids = col.find_cards("")
        assert card_ids
        for cid in card_ids:
            card = col.get_card(cid)
            assert card.question() and card.answer()
    finally:
        col.close()
