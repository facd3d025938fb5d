"""``mlanki check``: the real problems of a source, as file:line:col with hints, writing nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlanki.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)


def test_bundled_source_problems_with_line_numbers(project):
    result = run()
    assert result.exit_code == 0  # warnings only
    assert result.stdout == "", "findings go to stderr, like the build's"
    found = [line.split(": warning: ")[0] for line in result.stderr.splitlines() if ": warning: " in line]
    assert "source/ml-micro-learning.md:79" in found
    artefacts = [line for line in result.stderr.splitlines() if "copy-pasted math" in line]
    assert [a.split(":")[1] for a in artefacts] == ["17", "18", "19", "20", "22", "23", "24", "24", "25", "27",
                                                    "28", "28", "28"]
    assert "source/ml-micro-learning.md:20:6: warning: repaired copy-pasted math: 'K=1K=1' is shown as \\(K=1\\)" \
        in result.stderr
    assert "    hint: check the card; set math_repair = false to keep the text as written" in result.stderr
    assert result.stderr.splitlines()[-1] == "0 errors, 15 warnings (14 of them from lint rules)"
    assert sorted(p.name for p in project.rglob("*") if p.is_file()) == ["ml-micro-learning.md"], "writes nothing"


def test_json_format(project):
    result = run("--format", "json")
    items = json.loads(result.stdout)
    assert items[0] == {"file": "source/ml-micro-learning.md", "line": 17, "col": 209, "level": "warning",
                        "code": "math-repair", "message": "repaired copy-pasted math: 'KK' is shown as \\(K\\)",
                        "hint": "check the card; set math_repair = false to keep the text as written"}
    assert {i["code"] for i in items} == {"math-repair", "no-answer", "label-prompt"}


def test_with_math_repair_off_check_reports_the_artefacts(project):
    (project / "setup.cfg").write_text("[mlanki]\nmath_repair = false\n", encoding="utf-8")
    items = json.loads(run("--format", "json").stdout)
    assert items[0] == {"file": "source/ml-micro-learning.md", "line": 17, "col": 209, "level": "warning",
                        "code": "math-artefact", "message": "looks like copy-pasted math with a doubled token: 'KK'",
                        "hint": "write it once, e.g. 'K' or $K$"}
    assert {i["code"] for i in items} == {"math-artefact", "no-answer", "label-prompt"}


def test_errors_exit_1_and_every_rule_reports(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("source").mkdir()
    Path("source/deck.md").write_text(
        "# **D**\n"
        "## **Topic1: T**\n"
        "Stray text under the topic.\n"
        "#### What is a?\n"
        "* A) x\n* B) y\n\nThe correct answer is option 7. Because x wins.\n"
        "***\n"
        "Orphan text after a separator.\n"
        "#### What is b?\n"
        "Answer options: one two three\n"
        "#### What is c?\n"
        "![p](missing.png) and \\(x + y\n"
        "#### What is A?\n"
        "Duplicate of the first, by case.\n",
        encoding="utf-8")
    result = run()
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines()[:-1] if not line.startswith("    hint")]
    assert lines == [
        "source/deck.md:2: warning: text under a topic heading is not part of any card",
        "source/deck.md:4: warning: multiple-choice question states no correct option; the card shows the "
        "options and the explanation only",
        "source/deck.md:8: warning: the correct option (7) is out of range: the question has 2 options",
        "source/deck.md:10: warning: text after *** and before the next heading is not part of any card",
        "source/deck.md:12: warning: could not tell the options apart on this line",
        "source/deck.md:14: error: image 'missing.png' not found",
        "source/deck.md:14:23: warning: unbalanced math delimiters \\( ... \\)",
        "source/deck.md:15: error: duplicate question (also at source/deck.md:4): What is A?",
    ]


def test_build_counts_what_check_lists_also_after_incremental_builds(project):
    """The lint findings a build counts are the ones check lists, at the same places, when chunks come
    from the cache, move down the file, or are edited to add or remove a finding."""
    from mlanki.build import build, check_report

    source = Path("source/ml-micro-learning.md")
    text = source.read_text(encoding="utf-8")
    edits = [
        text,
        text.replace("## **Topic1", "\n\n\n## **Topic1", 1),  # every chunk below moves three lines down
        text.replace("***\n", "***\nA stray line between cards.\n", 1),  # a new 'outside' finding
        text.replace("K=1K=1", "K=1", 1),  # one copy-paste repair fewer
    ]
    counts = []
    for number, edited in enumerate(edits):
        source.write_text(edited, encoding="utf-8")
        built = build(now=1_764_000_000 + number)
        listed = check_report()
        assert sorted(map(str, listed.diagnostics)) == sorted(map(str, built.diagnostics + built.lint)), number
        assert listed.lint_count == len(built.lint)
        counts.append(len(built.lint))
    assert counts[1] == counts[0] and counts[2] == counts[0] + 1 and counts[3] == counts[0] - 1, counts


@pytest.mark.parametrize("line, flagged", [
    ("An performing k-fold CV for$ k=5 $or$ k=10 $will lead", ["$ k=5 $", "$ k=10 $"]),  # a real corpus line
    ("it is $a$ and $ b $ too", ["$ b $"]),
    ("$x$ and $y$", []),  # the space between two formulas is not inside one
    ("costs $5 and $10", []),  # prices: no space after the first $
    ("LOOCV ($k=n $) will", []),  # a space on one side only
    ("a $$ x $$ b", []),  # display math
    (r"an escaped \$ 5 \$ sign", []),
])
def test_math_with_spaces_inside_its_dollar_signs_is_a_lint_finding(line, flagged):
    from mlanki.check import line_problems

    found = [message for _col, code, message, _hint in line_problems(line) if "spaces inside" in message]
    assert [m.split("'")[1] for m in found] == flagged
    assert all(code == "math-delimiters" for _c, code, m, _h in line_problems(line) if "spaces inside" in m)
