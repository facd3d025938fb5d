"""``question_style: bold``: every bold question line is its own card, blank line or not."""

from __future__ import annotations

from click.testing import CliRunner

from mlanki.cli import cli
from mlanki.parse import parse_text
from mlanki.settings import Settings

BOLD = Settings(question_style="bold")


def questions(text: str) -> list[tuple[int, str, str]]:
    deck = parse_text(text, "b.md", BOLD)
    assert not deck.diagnostics
    return [(e.location.line, e.question_text, e.answer) for e in deck.entries]


def test_two_bold_questions_without_a_blank_line_are_two_cards():
    assert questions("# D\n## T\n**What is regression?**\nPredicting a number.\n"
                     "**What is classification?**\nPredicting a class.\nOver two lines.\n"
                     "**What is clustering?**\nGrouping.\n") == [
        (3, "What is regression?", "<p>Predicting a number.</p>"),
        (5, "What is classification?", "<p>Predicting a class.<br>\nOver two lines.</p>"),
        (8, "What is clustering?", "<p>Grouping.</p>"),
    ]


def test_bold_words_inside_an_answer_are_not_questions():
    assert questions("# D\n## T\n**What is a tensor?**\nAn array.\n**Note** it has a shape.\n"
                     "Some **bold?** words mid-line.\n") == [
        (3, "What is a tensor?", "<p>An array.<br>\n<strong>Note</strong> it has a shape.<br>\n"
                                 "Some <strong>bold?</strong> words mid-line.</p>")]


def test_the_build_gives_one_card_per_bold_question(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "source").mkdir()
    (tmp_path / "source/deck.md").write_text(
        "---\nmlanki:\n  question_style: bold\n---\n# D\n## T\n**What is A?**\nA.\n**What is B?**\nB.\n",
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["build"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "T: 2 notes (2 basic)" in result.stdout
