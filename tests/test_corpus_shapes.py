"""Shapes met in the public Q&A corpora (shared/corpora/SOURCES.md) that made cards a learner would not
want: each a parser-table case and a false-positive guard, and the card as Anki renders it.
"""

from __future__ import annotations

import pytest

from mlanki.parse import parse_text
from parse_support import FILE
from test_render import card_of, deck  # noqa: F401  (deck is a fixture)

HEAD = "# **Deck**\n## **Topic1: Basics**\n"  # the first question of a case is on line 3


def answer_of(source: str, lint: bool = False):
    parsed = parse_text(HEAD + source, file=FILE, lint=lint)
    (entry,) = parsed.entries
    return entry, parsed


# -- images of a math-rendering service are math ---------------------------------------------------
GITHUB_MATH = "https://render.githubusercontent.com/render/math?math="


@pytest.mark.parametrize("written, shown", [
    (f'Find <img src="{GITHUB_MATH}\\beta"> here.', r"Find \(\beta\) here."),
    (f'Sum <img src="{GITHUB_MATH}(x_{{i%2B1}}-x_i)">.', r"Sum \((x_{i+1}-x_i)\)."),
    (f"Inline ![b]({GITHUB_MATH}\\lambda) too.", r"Inline \(\lambda\) too."),
    ('Codecogs <img src="https://latex.codecogs.com/svg.latex?a^2"> works.', r"Codecogs \(a^2\) works."),
    (f'<img src="{GITHUB_MATH}\\sum_i x_i">', r"\[\sum_i x_i\]"),  # alone on its line: display math
])
def test_a_math_image_becomes_math(written, shown):
    entry, parsed = answer_of(f"#### What is it?\n{written}\n", lint=True)
    assert shown in entry.answer and "githubusercontent" not in entry.answer and "codecogs" not in entry.answer
    assert [n.code for n in parsed.notices] == ["math-image"]


@pytest.mark.parametrize("written", [
    '<img src="https://example.org/render/math?math=x">',  # another host: an ordinary remote image
    "![chart](https://render.githubusercontent.com/render/diagram?x=1)",  # not the math endpoint
    "See https://render.githubusercontent.com/render/math?math=x written as text.",
])
def test_other_images_and_urls_are_left_alone(written):
    entry, parsed = answer_of(f"#### What is it?\n{written}\n", lint=True)
    assert "\\(" not in entry.answer and "\\[" not in entry.answer
    assert "math-image" not in [n.code for n in parsed.notices]


def test_a_math_image_card_shows_tex_for_mathjax_not_a_url_in_anki(deck):
    col = deck(f'#### How is L1 written?\nAdd <img src="{GITHUB_MATH}\\lambda\\sum_i |w_i|"> to the loss.\n')
    _question, answer = card_of(col, "How is L1 written?")
    assert r"Add \(\lambda\sum_i |w_i|\) to the loss." in answer
    assert "githubusercontent" not in answer
