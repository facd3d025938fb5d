"""The command line: exit codes, messages on stderr as file:line, nothing lost on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from mlanki.cli import cli

APKG = Path("build/machine-learning-micro-learning.apkg")
SOURCE = Path("source/ml-micro-learning.md")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_build_prints_summary_and_warning(project):
    result = run("build")
    assert result.exit_code == 0
    assert "General Machine Learning: 7 cards (4 basic, 3 multiple choice)" in result.stdout
    assert "Deep Learning: 11 cards (9 basic, 1 multiple choice, 1 definition cloze)" in result.stdout
    assert result.stderr.startswith("source/ml-micro-learning.md:79: warning: multiple-choice question has options")
    assert APKG.is_file() and Path("build/machine-learning-micro-learning-1.0.0.apkg").is_file()
    assert Path("source/mlanki.lock").is_file()


def test_second_build_reports_no_change(project):
    run("build")
    again = run("build")
    assert again.exit_code == 0 and "No content change: nothing written." in again.stdout


def test_strict_turns_the_warning_into_an_error_and_writes_nothing(project):
    result = run("build", "--strict")
    assert result.exit_code == 1
    assert "source/ml-micro-learning.md:79: error: multiple-choice question" in result.stderr
    assert not APKG.exists() and not Path("source/mlanki.lock").exists()


def test_bad_input_keeps_the_previous_deck_and_record(project):
    assert run("build").exit_code == 0
    deck, record = APKG.read_bytes(), Path("source/mlanki.lock").read_bytes()
    text = SOURCE.read_text(encoding="utf-8")
    SOURCE.write_text(text.replace("#### What is FID score?", "#### What is batch normalization?"), encoding="utf-8")
    result = run("build")
    assert result.exit_code == 1
    assert ("source/ml-micro-learning.md:188: error: duplicate question (also at source/ml-micro-learning.md:99): "
            "What is batch normalization?") in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert APKG.read_bytes() == deck and Path("source/mlanki.lock").read_bytes() == record


def test_missing_source_is_a_clean_error(project):
    result = run("build", "nowhere")
    assert result.exit_code == 1
    assert result.stderr.strip() == "nowhere: no such source file or folder"


def test_other_source_and_output_folder(project):
    Path("notes").mkdir()
    Path("notes/deck.md").write_text("# **Tiny**\n## **Topic1: T**\n#### What is 2+2?\n4.\n", encoding="utf-8")
    result = run("build", "notes", "--output", "out")
    assert result.exit_code == 0, result.stderr
    assert Path("out/tiny-1.0.0.apkg").is_file() and Path("notes/mlanki.lock").is_file()


def test_usage_error_exits_2(project):
    result = run("build", "--no-such-flag")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_diff_shows_what_the_next_build_changes(project):
    run("build")
    text = SOURCE.read_text(encoding="utf-8")
    SOURCE.write_text(text.replace("To prevent overfitting.", "To reduce overfitting."), encoding="utf-8")
    result = run("diff")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Machine Learning Micro-Learning: 1.0.0 -> 1.0.1 (0 added, 1 changed, 0 retired)",
        "  ~ What is the purpose of dropout in neural networks?",
    ]
    assert Path("build/machine-learning-micro-learning-1.0.1.apkg").exists() is False


def test_python_dash_m_runs_the_same_command(project):
    done = subprocess.run([sys.executable, "-m", "mlanki", "build"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Generative Models: 3 cards" in done.stdout
