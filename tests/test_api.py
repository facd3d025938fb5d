"""The library: ``import mlanki`` gives build, check, diff and parse, cheaply, with documented examples."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import mlanki
from conftest import FIXED_NOW
from mlanki.errors import MlankiError, SourceError

SOURCE = Path("source/ml-micro-learning.md")


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """Builds through the API stamp changed notes with SOURCE_DATE_EPOCH, never the wall clock."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(FIXED_NOW))


def test_the_readmes_python_example_runs(project):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    example = re.search(r"### From Python\n+```python\n(.*?)```", readme, re.DOTALL).group(1)
    assert len([line for line in example.splitlines() if line.strip()]) <= 6
    done = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Machine Learning Micro-Learning 1.0.0: build/")
    assert "source/ml-micro-learning.md:16 How does KNN work" in done.stdout


def test_build_check_diff_and_parse_from_python(project):
    result = mlanki.build("source", "build")
    assert result.decks[0].package == Path("build/machine-learning-micro-learning-1.0.0.apkg")
    found = mlanki.check("source")
    assert (found.errors, found.warnings, found.lint_count) == (0, 15, 14)  # 13 math repairs, 1 label prompt
    assert [plan.has_changes for plan in mlanki.diff("source")] == [False]
    deck = mlanki.parse(SOURCE)
    assert deck.name == "Machine Learning Micro-Learning" and len(deck.entries) == 19
    assert deck.entries[0].question_text == "How does KNN work for low and large values of K?"
    assert [d.name for d in mlanki.parse_all("source")] == [deck.name]


def test_api_raises_the_one_error_family(project):
    with pytest.raises(SourceError) as stopped:
        mlanki.build("source", strict=True)
    assert [d.level for d in stopped.value.diagnostics] == ["error"]
    with pytest.raises(MlankiError, match="is a folder"):
        mlanki.parse("source")
    with pytest.raises(MlankiError, match="no such source file or folder"):
        mlanki.build("nowhere")


def test_release_and_strict_keywords(project):
    result = mlanki.build(release="3.1.4")
    assert result.decks[0].version == "3.1.4"
    assert mlanki.check(strict=True).errors == 15


def test_pipeline_modules_keep_working_under_the_same_names():
    """``mlanki.build`` and ``mlanki.check`` are callable and still the modules other code imports from."""
    from mlanki import check
    from mlanki.build import build

    assert callable(check.run_rules) and callable(build)
    assert callable(mlanki.build) and mlanki.build.build is build
    import mlanki.parse as parse_module

    assert callable(parse_module) and hasattr(parse_module, "parse_text")


def test_every_api_function_has_a_docstring_example():
    from mlanki import api

    for name in ("build", "check", "diff", "parse"):
        assert f"mlanki.{name}(" in getattr(api, name).__doc__, name
    assert "import mlanki" in mlanki.__doc__


def test_import_mlanki_and_a_noop_build_load_no_pipeline_module(project):
    from mlanki.build import build

    build(now=FIXED_NOW)
    script = ("import sys, mlanki\n"
              "loaded = [m for m in sys.modules if m.startswith('mlanki.')]\n"
              "from mlanki.cli import main\n"
              "sys.argv = ['mlanki', 'build', '-q']\n"
              "try:\n    main()\nexcept SystemExit:\n    pass\n"
              "heavy = [m for m in ('mistune', 'genanki', 'nh3', 'rich', 'mlanki.parse', 'mlanki.identity')\n"
              "         if m in sys.modules]\n"
              "print(loaded, heavy)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] []"


def test_export_records_have_text_and_html_for_every_part(project):
    from mlanki.export import entry_record, plain_text

    deck = mlanki.parse(SOURCE)
    record = entry_record(deck, deck.entries[1])
    assert set(record) == {"deck", "topic", "file", "line", "kind", "id", "question", "answer", "explanation",
                           "options", "cloze", "definition"}
    assert record["kind"] == "multiple choice" and [o["correct"] for o in record["options"]] == [True] + [False] * 3
    assert all(set(record[p]) >= {"text", "html"} for p in ("question", "answer", "explanation"))
    assert plain_text("<p>a &amp; b<br>\nc</p><ul><li>d</li></ul>") == "a & b\nc\nd"
    json.dumps(record)  # plain values only


def test_pip_show_has_an_author_and_its_dependencies():
    """(A home page is added once the project has a public address: an invented URL would mislead.)"""
    from importlib.metadata import metadata

    info = metadata("mlanki")
    assert info["Author"] == "mlanki contributors"
    assert "rich" in " ".join(info.get_all("Requires-Dist"))
