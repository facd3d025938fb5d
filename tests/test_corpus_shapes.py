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
    (f'<img src="{GITHUB_MATH}\\sum_i x_i">', r"\[\sum_i x_i\]"),  # alone in its paragraph: display math
    (f'If the curve has dots, then\n<img src="{GITHUB_MATH}\\sum_i x_i">', "then<br>\n" r'<span class="mlanki-math">\[\sum_i x_i\]</span>'),  # alone on a line
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


# -- prose hard-wrapped at a column reads as sentences, not as ragged lines ---------------------------
@pytest.mark.parametrize("written, shown", [
    ("Given the training data, a decision tree algorithm divides the feature space into\n"
     "regions. For inference, we first see which region the point falls in.\n",
     "<p>Given the training data, a decision tree algorithm divides the feature space into regions. "
     "For inference, we first see which region the point falls in.</p>"),
    ("* Apply the sigmoid function to the output of linear models, squeezing the target\n"
     "to range [0, 1]\n* Threshold to make prediction\n",
     "<ul>\n<li>Apply the sigmoid function to the output of linear models, squeezing the target to range [0, 1]</li>\n"
     "<li>Threshold to make prediction</li>\n</ul>"),
])
def test_hard_wrapped_sentences_are_joined(written, shown):
    entry, _ = answer_of(f"#### Decision tree?\n{written}")
    assert entry.answer + entry.explanation == shown


@pytest.mark.parametrize("written", [
    "It trains many trees on bootstrap samples of the data\nIt averages their votes\n",  # one point per line
    "Short line\nlower case goes on a line of its own\n",  # a short line is no wrap
    "Pick the activation function that suits the output layer best\nb) is the one most used\n",  # option label
    "K-means partitions the observations into k clusters of equal variance.\nthen it assigns each point\n",
])
def test_one_point_per_line_stays_one_line(written):
    entry, _ = answer_of(f"#### What is it?\n{written}")
    assert "<br>" in entry.answer + entry.explanation


def test_a_wrapped_line_is_linted_on_each_source_line():
    source = ("#### What is it?\nThe model that was fitted with the default options makes\n"
              "errors worth the value of KK in the end.\n")
    parsed = parse_text(HEAD + source, file=FILE, settings=None, lint=True)
    assert [(n.location.line, n.code) for n in parsed.notices if n.code.startswith("math")] \
        in ([(5, "math-artefact")], [(5, "math-repair")])


# -- links to the page's own anchors ("back to top") are navigation, not card content ---------------
def test_a_line_that_only_links_into_the_page_goes():
    entry, _ = answer_of("#### Bagging?\nBagging averages models.\n\n[back to top](#data-science-question-answer)\n")
    assert "back to top" not in entry.answer + entry.explanation


@pytest.mark.parametrize("written, kept", [
    ("[Reference](https://example.org/paper)\n", '<a href="https://example.org/paper"'),  # a link out of the page
    ("See [the table](#tables) above for the numbers.\n", "See the table above"),  # an anchor inside a sentence
])
def test_other_links_stay(written, kept):
    entry, _ = answer_of(f"#### Bagging?\nBagging averages models.\n\n{written}")
    assert kept in entry.answer + entry.explanation


# -- a fill-in blank written as a bold underscore -------------------------------------------------
@pytest.mark.parametrize("heading, shown", [
    ("**\\_**-based filtering recommends similar items.", "_____-based filtering recommends similar items."),
    ("The radial basis network has **\\_\\_** layers.", "The radial basis network has _____ layers."),
    ("Use **bold** and *\\_x* as written.", "Use <strong>bold</strong> and <em>_x</em> as written."),  # guard
])
def test_a_bold_underscore_in_a_question_is_a_blank(heading, shown):
    entry, _ = answer_of(f"#### {heading}\n- [x] Item\n- [ ] History\n")
    assert entry.question == shown
    assert "_____" not in entry.question_text  # the question's identity is the heading as written


@pytest.mark.parametrize("heading, shown", [
    ("****Compare sparse and dense losses.", "Compare sparse and dense losses."),  # an empty bold before the text
    ("Which rating is **** here?", "Which rating is **** here?"),  # guard: inside the text it is text
])
def test_an_empty_bold_at_the_start_of_a_question_is_dropped(heading, shown):
    entry, _ = answer_of(f"#### {heading}\nThey differ.\n")
    assert entry.question == shown and entry.question_text == heading


# -- a fence indented by four spaces (inside <details>, under a numbered question) -------------------
def test_an_indented_fence_is_code_in_its_language_not_backticks(deck):
    col = deck("#### What does this print?\n<details>\n\n        ```python\n        print(42)\n        ```\n\n"
               "It prints 42.\n</details>\n")  # indented by eight, as in the corpus
    question, answer = card_of(col, "What does this print?")
    assert "```" not in question + answer
    assert "mlanki-highlight" in answer and "print" in answer  # Pygments coloured it as Python


@pytest.mark.parametrize("written", [
    "    ```python\n    print(42)\n    ```\n    more code after the fence\n",  # not one fence: indented code as written
    "    x = 1\n    y = 2\n",  # ordinary indented code
])
def test_other_indented_code_stays_as_written(written):
    entry, _ = answer_of(f"#### What does this print?\nIt prints.\n\n{written}")
    shown = entry.explanation + entry.answer
    assert "<pre" in shown and "mlanki-highlight" not in shown
    assert written.split("\n")[-2].strip() in shown  # its last line is shown as code


# -- a definition cloze needs a definition that singles out its term ------------------------------
@pytest.mark.parametrize("question, answer, cloze", [
    ("What is object segmentation?", "Object Segmentation is predicting masks.", ""),
    ("What is regression?", "Regression is a part of supervised ML.", ""),
    ("What is ReLU?", "ReLU is an abbreviation for Rectified Linear Unit.",  # guard: six words name it
     "{{c1::ReLU}} is an abbreviation for Rectified Linear Unit."),
])
def test_a_definition_too_short_to_name_its_term_makes_no_cloze(question, answer, cloze):
    entry, _ = answer_of(f"#### {question}\n{answer}\n")
    assert entry.definition == cloze
    assert entry.answer  # the basic card stays
