"""Bad input: one clear file:line message, a non-zero exit, no traceback, nothing lost.

Data-driven like tomli's error tests: each case is source bytes and the exact message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mlanki.build import build
from mlanki.cli import cli

GOOD = "# **Deck**\n## **Topic1: T**\n#### What is 2+2?\nFour.\n"

INVALID = [
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
     "source/deck.md:3: error: this looks like a binary file, not Markdown (it contains NUL bytes)"),
    ("not-utf8", "# **Deck**\n## T\n#### Caf".encode() + b"\xe9?\nYes.\n",
     "source/deck.md:3: error: not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    ("empty", b"", "source/deck.md:1: error: no questions found in this file"),
    ("no-questions", b"# Notes\nJust some prose.\n\nMore prose.\n",
     "source/deck.md:1: error: no questions found in this file"),
    ("broken-front-matter", b"---\nmlanki: [unclosed\n---\n" + GOOD.encode(),
     "source/deck.md:3: error: front matter: expected ',' or ']', but got '<stream end>'"),
    ("unknown-setting", b"---\nmlanki:\n  colour: blue\n---\n" + GOOD.encode(),
     "source/deck.md:2: error: front matter: unknown mlanki setting 'colour'; known: topic_level, "
     "question_level, question_style, line_breaks, missing_media, source_url, deck_id"),
    ("bad-setting-value", b"---\nmlanki:\n  topic_level: 9\n---\n" + GOOD.encode(),
     "source/deck.md:2: error: front matter: topic_level: 9 is not allowed; expected a heading level 1 to 6"),
    ("duplicate", (GOOD + "***\n#### what is 2+2\nStill four.\n").encode(),
     "source/deck.md:6: error: duplicate question (also at source/deck.md:3): what is 2+2"),
    ("unclosed-fence", (GOOD + "\n#### Show code?\n```python\nx = 1\n").encode(),
     "source/deck.md:7:1: error: code fence is never closed; the rest of the file became code"),
    ("missing-image", (GOOD + "\n#### What does it show?\n![plot](img/plot.png)\n").encode(),
     "source/deck.md:7: error: image 'img/plot.png' not found"),
    ("image-outside-source", (GOOD + "\n#### What does it show?\n![x](../../secret.png)\n").encode(),
     "source/deck.md:7: error: image '../../secret.png' is outside the source folder; it was not read"),
    # What Anki cannot store, refused at the source line (issue 9)
    ("unit-separator-in-topic", "# **Deck**\n## **Topic1: T\x1fU**\n#### What is 2+2?\nFour.\n".encode(),
     "source/deck.md:2:15: error: control character U+001F is not allowed: Anki separates a note's fields "
     "with it; remove it"),
    ("unit-separator-in-answer", (GOOD + "***\n#### Why?\nBecause\x1f.\n").encode(),
     "source/deck.md:7:8: error: control character U+001F is not allowed: Anki separates a note's fields "
     "with it; remove it"),
    ("form-feed", (GOOD + "\x0c\n").encode(),
     "source/deck.md:5:1: error: control character U+000C is not allowed: Anki cannot keep it in a note; remove it"),
    ("lone-surrogate-title", b'---\ntitle: "\\ud800"\n---\n' + GOOD.encode(),
     "source/deck.md:2: error: front matter: title: U+D800 is half of a UTF-16 pair, not a character; remove it"),
    ("type-error-setting", b"---\nmlanki:\n  topic_level: True\n---\n" + GOOD.encode(),
     "source/deck.md:2: error: front matter: topic_level: true is not allowed; expected a heading level 1 to 6"),
    ("yaml-alias-bomb", b"---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     b"c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n---\n" + GOOD.encode(),
     "source/deck.md:3: error: front matter: aliases (*name) are not allowed"),
    # What stopped packaging, now found with file:line before it (issue 9)
    ("cloze-unclosed", (GOOD + "***\n#### Fill?\nA {{c1::gap\n").encode(),
     "source/deck.md:6: error: cloze deletion {{c1::... is never closed with }}"),
    ("cloze-empty", (GOOD + "***\n#### Fill?\nA {{c1::}} gap\n").encode(),
     "source/deck.md:6: error: cloze deletion {{c1::}} is empty"),
    ("cloze-zero", (GOOD + "***\n#### Fill?\n{{c0::x}}\n").encode(),
     "source/deck.md:6: error: cloze numbers start at 1: {{c0::...}} gives no card"),
    ("cloze-too-large", (GOOD + "***\n#### Fill?\n{{c1000::x}}\n").encode(),
     "source/deck.md:6: error: cloze number c1000 is too large: a note holds at most c100"),
    ("empty-question", (GOOD + "***\n#### 1.\nAn answer.\n").encode(),
     "source/deck.md:6: error: the question is empty"),
    ("image-name-too-long", (GOOD + "***\n#### Show?\n![x](" + "a" * 300 + ".png)\n").encode(),
     f"source/deck.md:7: error: image '{'a' * 80}…' cannot be read: File name too long"),
    ("deck-name-too-long", ("# **" + "Long " * 50 + "**\n## **Topic1: T**\n#### What is 2+2?\nFour.\n").encode(),
     "source/deck.md:1: error: the deck name is too long for a file name (249 characters as "
     "'long-long-long-long-long-long-…'; at most 200)"),
]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    (tmp_path / "source").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_build(*args: str):
    return CliRunner().invoke(cli, ["build", *args], catch_exceptions=False)


@pytest.mark.parametrize("name, data, message", INVALID, ids=[case[0] for case in INVALID])
def test_invalid_source_gives_exact_message_and_keeps_previous_output(project, name, data, message):
    Path("source/deck.md").write_text(GOOD, encoding="utf-8")
    assert run_build().exit_code == 0
    before = {p: p.read_bytes() for p in [*Path("build").glob("*"), Path("source/mlanki.lock")]}

    Path("source/deck.md").write_bytes(data)
    result = run_build()

    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == message
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in before} == before, "the previous deck and record are untouched"
    assert sorted(Path("build").glob("*")) == sorted(p for p in before if p.parent.name == "build")


@pytest.mark.parametrize("name, data, message", INVALID, ids=[case[0] for case in INVALID])
def test_check_finds_what_build_rejects(project, name, data, message):
    Path("source/deck.md").write_bytes(data)
    result = CliRunner().invoke(cli, ["check", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 1
    import json

    found = [f"{d['file']}:{d['line']}: {d['level']}: {d['message']}" for d in json.loads(result.stdout)]
    where, rest = message.split(": error: ", 1)
    assert f"{':'.join(where.split(':')[:2])}: error: {rest}" in found


def test_200_levels_of_nested_lists_build(project):
    nested = "".join("  " * depth + "- level\n" for depth in range(200))
    Path("source/deck.md").write_text(GOOD + "\n#### How deep?\n" + nested, encoding="utf-8")
    result = run_build()
    assert result.exit_code == 0, result.output
    assert "T: 2 notes (2 basic)" in result.stdout


def test_ten_megabyte_file_builds(project):
    answer = "A line of answer text that goes on for a while to fill the file.\n" * 150
    entries = "".join(f"#### Question number {n}?\n{answer}***\n" for n in range(1050))
    Path("source/deck.md").write_text("# **Big**\n## **Topic1: T**\n" + entries, encoding="utf-8")
    assert Path("source/deck.md").stat().st_size > 10_000_000
    result = run_build()
    assert result.exit_code == 0, result.output
    assert "T: 1050 notes (1050 basic)" in result.stdout


def test_unwritable_output_is_a_clean_error(project):
    Path("source/deck.md").write_text(GOOD, encoding="utf-8")
    Path("blocked").write_text("a file where the output folder should be", encoding="utf-8")
    result = run_build("--output", "blocked")
    assert result.exit_code == 1
    assert result.stderr.startswith("blocked: cannot write here")
    assert "Traceback" not in result.output


def test_interrupted_build_leaves_previous_files_and_no_half_file(project, monkeypatch):
    Path("source/deck.md").write_text(GOOD, encoding="utf-8")
    build()
    before = {p: p.read_bytes() for p in [*Path("build").glob("*"), Path("source/mlanki.lock")]}
    Path("source/deck.md").write_text(GOOD + "***\n#### What is 3+3?\nSix.\n", encoding="utf-8")

    import os

    real_replace = os.replace

    def interrupted(src, dst):
        raise KeyboardInterrupt  # Ctrl-C just before the first rename

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build()
    monkeypatch.setattr(os, "replace", real_replace)

    assert {p: p.read_bytes() for p in before} == before
    leftovers = [p.name for p in [*Path("build").iterdir(), *Path("source").iterdir()] if p.name.endswith(".tmp")]
    assert leftovers == []
