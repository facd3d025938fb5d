"""Data-driven tests for the question styles of other collections (corpora/SOURCES.md).

Each case is a small Markdown source written for this file in one collection's convention, with
the exact result expected from ``parse_text``: every field of every entry, every diagnostic as
(file:line, level, code), and the deck name where it matters. Fixtures are our own text; the
corpora themselves are never read here.
"""

from __future__ import annotations

from functools import partial

import pytest

from mlanki.identity import plan_deck
from mlanki.mapping import normalise_question, notes_for
from mlanki.notetypes import default_notetypes
from mlanki.parse import parse_text
from parse_support import DIRECT, ERR, FILE, W, expected_mc, diagnostics_of, entries_of, expected_entry
from mlanki.record import Record

NOW = 1_764_000_000


# -- helpers --------------------------------------------------------------------------------
E = partial(expected_entry, topic="")  # one expected entry: a basic card with no topic
mc = partial(expected_mc, topic="")




def case(id, source, *entries, diagnostics=(), name=None):
    """A table row; the deck ``name`` is checked when given."""
    return pytest.param(source, list(entries), list(diagnostics), name, id=id)


# -- bold-line questions (alexeygrigorev) ------------------------------------------------------
BOLD_FILE = (
    "# Theoretical interview questions\n"                                           # 1
    "\n"
    "* Legend: 👶 easy \u200d⭐️ medium 🚀 expert\n"                                 # 3
    "\n"
    "## Table of contents\n"                                                         # 5
    "\n"
    "* [Supervised machine learning](#supervised-machine-learning)\n"
    "* [Linear regression](#linear-regression)\n"
    "\n"
    "## Supervised machine learning\n"                                               # 10
    "\n"
    "**What is supervised machine learning? 👶**\n"                                 # 12
    "\n"
    "Supervised learning trains on labelled examples.\n"                            # 14
    "\n"
    "<br/>\n"                                                                        # 16
    "\n"
    "## Linear regression\n"                                                         # 18
    "\n"
    "**What is regression? Which models can you use to solve a regression problem? 👶**\n"  # 20
    "\n"
    "Regression predicts a continuous target.\n"                                    # 22
    "\n"
    "Linear regression and random forests both solve it.\n"                         # 24
    "\n"
    "<br/>\n"                                                                        # 26
    "\n"
    "**What are the main assumptions of linear regression? \u200d⭐️**\n"           # 28
    "\n"
    "Errors are independent and normally distributed.\n"                            # 30
    "\n"
    "<br/>\n"                                                                        # 32
    "\n"
    "**What is the normal equation? 🚀**\n"                                          # 34
    "\n"
    "Answer here\n"                                                                  # 36
    "\n"
    "<br/>\n"                                                                        # 38
)

# Bold questions with no difficulty mark: only the <br/> separators are under test.
BOLD_PLAIN = (
    "# Interview\n"                                                                  # 1
    "\n"
    "## Basics\n"                                                                    # 3
    "\n"
    "**Why do we split the data?**\n"                                               # 5
    "\n"
    "To measure generalisation.\n"                                                   # 7
    "\n"
    "<br/>\n"                                                                        # 9
    "\n"
    "**Why do we scale features?**\n"                                               # 11
    "Distances stay comparable.\n"                                                  # 12
    "\n"
    "<br/>\n"                                                                        # 14
    "\n"
    "**How do we pick k in k-means?**\n"                                            # 16
    "\n"
    "With the elbow method.\n"                                                      # 18
    "\n"
    "<br/>\n"                                                                        # 20
)

# Bold questions with difficulty marks and no <br/>: only the marks are under test.
BOLD_MARKS = (
    "# Interview\n"
    "## Basics\n"
    "**Why do we split the data? 👶**\n"                                             # 3
    "To measure generalisation.\n"
    "\n"
    "**Why do we scale features? \u200d⭐️**\n"                                     # 6
    "Distances stay comparable.\n"
    "\n"
    "**How do we pick k in k-means? 🚀**\n"                                          # 9
    "With the elbow method.\n"
)

# -- "### Q:" questions with <details> answers (ajitsingh98) -----------------------------------
DETAILS_FILE = (
    "# General Concepts In Machine Learning\n"                                      # 1
    "\n"
    "> 🎯 Questions with hidden answers.\n"
    "\n"
    "## Model Evaluation\n"                                                          # 5
    "\n"
    "### Q: What is the bias-variance tradeoff?\n"                                  # 7
    "\n"
    "<details><summary><b>💡 Show Answer</b></summary>\n"
    "\n"
    "Bias comes from wrong assumptions.\n"
    "\n"
    "Variance comes from sensitivity to the sample, $\\sigma^2$.\n"
    "\n"
    "</details>\n"
    "\n"
    "---\n"
    "\n"
    "### Q: Why use cross-validation?\n"                                            # 19
    "\n"
    "<details>\n"
    "<summary><b>Show Answer</b></summary>\n"
    "\n"
    "It estimates error on unseen data.\n"
    "\n"
    "</details>\n"
    "\n"
    "---\n"
    "\n"
    "### Q: 1. Read the two models below.\n"                                        # 30
    "\n"
    "Model A has 10 parameters and model B has 1000.\n"
    "\n"
    "2. Which one overfits more easily?\n"
    "3. Why?\n"
    "\n"
    "<details><summary><b>Show Answer</b></summary>\n"
    "\n"
    "Model B, because more parameters fit more noise.\n"
    "\n"
    "</details>\n"
    "\n"
    "---\n"
    "\n"
    "### Objective Functions and Losses\n"                                         # 45
    "\n"
    "#### Table of Contents\n"
    "\n"
    "- [Why squared error?](#why-squared-error)\n"
    "\n"
    "### Q: Why squared error?\n"                                                   # 51
    "\n"
    "<details><summary><b>💡 Show Answer</b></summary>\n"
    "\n"
    "It is the Gaussian log-likelihood.\n"
    "\n"
    "</details>\n"
)

# -- list questions (aishwaryanr) ---------------------------------------------------------------
LIST_FILE = (
    "# Common Generative AI Interview Questions\n"                                  # 1
    "\n"
    "## Generative Models\n"                                                         # 3
    "\n"
    "1. **Why are generative models useful?**\n"                                    # 5
    "    \n"
    "- Answer:\n"
    "    \n"
    "    They learn the data distribution.\n"
    "    \n"
    "    **Uses:** sampling new data.\n"
    "    \n"
    "---\n"
    "\n"
    "2. **How does a GAN train?**\n"                                                # 15
    "- Answer:\n"
    "    - A generator makes samples.\n"
    "    - A discriminator judges them.\n"
    "\n"
    "---\n"
    "\n"
    "**3.** How does a VAE differ from a GAN?\n"                                    # 22
    "- Answer:\n"
    "    A VAE maximises a likelihood bound.\n"
    "\n"
    "---\n"
    "\n"
    "4. Why does mode collapse happen?\n"                                           # 28
    "- Answer\n"
    "    The generator covers few modes.\n"
    "\n"
    "## Embeddings\n"                                                                # 32
    "\n"
    "1. **Why normalise embeddings?**\n"                                            # 34
    "- Answer: Cosine similarity becomes a dot product.\n"
)

# -- numbered headings (iamtodor) ---------------------------------------------------------------
NUMBERED_FILE = (
    "[Source](https://example.org/doc)\n"                                           # 1
    "\n"
    "- [1. Why do you use feature selection?](#1-why-do-you-use-feature-selection)\n"
    "- [2. Explain regularization.](#2-explain-regularization)\n"
    "\n"
    "## 1. Why do you use feature selection?\n"                                     # 6
    "It removes noisy features.\n"
    "#### Filter Methods\n"
    "They rank features by a statistic.\n"
    "#### Wrapper Methods\n"
    "They search subsets with a model.\n"
    "\n"
    "## 2. Explain regularization.\n"                                               # 13
    "A penalty on large weights.\n"
    "### L1\n"
    "Sparse weights.\n"
    "\n"
    "## 20. Logistic regression\n"                                                  # 18
    "It models the log-odds linearly.\n"
    "\n"
    "## 26. Notes from a course\n"                                                  # 21
    "* Use a dev set.\n"
    "* Use a test set.\n"
)

# -- task-list options (linkedin) ---------------------------------------------------------------
TASK_FILE = (
    "## Machine Learning\n"                                                          # 1
    "\n"
    "#### Q1. Which algorithm is **not** supervised?\n"                             # 3
    "\n"
    "- [ ] linear regression\n"
    "- [x] k-means clustering\n"
    "- [ ] decision trees\n"
    "\n"
    "#### Q2. What does the learning curve show?\n"                                 # 9
    "\n"
    "![curve](https://example.org/machine-learning_Q2.jpg)\n"
    "\n"
    "- [ ] underfitting\n"
    "- [x] overfitting\n"
    "\n"
    "**Explanation:** The training error is far below the test error.\n"
    "\n"
    "#### Q3. Which matrix is this?\n"                                              # 18
    "\n"
    "|   | Predicted yes | Predicted no |\n"
    "|---|---|---|\n"
    "| Actual yes | 10 | 2 |\n"
    "\n"
    "- [x] a confusion matrix\n"
    "- [ ] a covariance matrix\n"
    "\n"
    "**Explanation**: It counts predictions per class.\n"
    "\n"
    "#### Q4. Which one is an ensemble?\n"                                          # 29
    "\n"
    "- [ ] KNN\n"
    "- [x] random forest\n"
    "\n"
    "[Reference](https://example.org/rf)\n"
    "\n"
    "#### Q127. Which loss suits classification?\n"                                 # 36
    "\n"
    "a) mean squared error\n"
    "b) cross-entropy\n"
    "c) hinge on regression\n"
    "d) L1\n"
    "\n"
    "**Explanation:**\n"
    "The correct answer is b) cross-entropy. It compares distributions.\n"
)

TABLE_STEM = ('<table>\n<thead>\n<tr>\n  <th></th>\n  <th>Predicted yes</th>\n  <th>Predicted no</th>\n'
              '</tr>\n</thead>\n<tbody>\n<tr>\n  <td>Actual yes</td>\n  <td>10</td>\n  <td>2</td>\n</tr>\n'
              '</tbody>\n</table>')


CASES = [
    # Bold-line questions --------------------------------------------------------------------
    case("bold-lines-emoji-br-separators-and-placeholder", BOLD_FILE,
         E(12, "What is supervised machine learning?", "<p>Supervised learning trains on labelled examples.</p>",
           topic="Supervised machine learning"),
         E(20, "What is regression? Which models can you use to solve a regression problem?",
           "<p>Regression predicts a continuous target.</p>\n<p>Linear regression and random forests both solve it.</p>",
           topic="Linear regression"),
         E(28, "What are the main assumptions of linear regression?",
           "<p>Errors are independent and normally distributed.</p>", topic="Linear regression"),
         diagnostics=[W(34, "no-answer")],
         name="Theoretical interview questions"),
    case("bold-lines-br-separator-is-not-answer-text", BOLD_PLAIN,
         E(5, "Why do we split the data?", "<p>To measure generalisation.</p>", topic="Basics"),
         E(11, "Why do we scale features?", "<p>Distances stay comparable.</p>", topic="Basics"),
         E(16, "How do we pick k in k-means?", "<p>With the elbow method.</p>", topic="Basics"),
         name="Interview"),
    case("bold-lines-difficulty-marks-are-not-question-text", BOLD_MARKS,
         E(3, "Why do we split the data?", "<p>To measure generalisation.</p>", topic="Basics"),
         E(6, "Why do we scale features?", "<p>Distances stay comparable.</p>", topic="Basics"),
         E(9, "How do we pick k in k-means?", "<p>With the elbow method.</p>", topic="Basics")),
    case("bold-line-placeholder-answer-gives-no-entry",
         "# Interview\n## Basics\n"
         "**Why do we split the data?**\nTo measure generalisation.\n\n"
         "**Why do we scale features?**\n\nAnswer here\n\n"                       # 6
         "**How do we pick k in k-means?**\nAnswer here.\n",                        # 10
         E(3, "Why do we split the data?", "<p>To measure generalisation.</p>", topic="Basics"),
         diagnostics=[W(6, "no-answer"), W(10, "no-answer")]),

    # "### Q:" with <details> answers -----------------------------------------------------------
    case("q-prefix-details-answers-and-multi-part-stem", DETAILS_FILE,
         E(7, "What is the bias-variance tradeoff?",
           "<p>Bias comes from wrong assumptions.</p>\n"
           "<p>Variance comes from sensitivity to the sample, \\(\\sigma^2\\).</p>",
           topic="Model Evaluation"),
         E(19, "Why use cross-validation?", "<p>It estimates error on unseen data.</p>", topic="Model Evaluation"),
         E(30, "1. Read the two models below.\n<p>Model A has 10 parameters and model B has 1000.</p>\n"
               '<ol start="2">\n<li>Which one overfits more easily?</li>\n<li>Why?</li>\n</ol>',
           "<p>Model B, because more parameters fit more noise.</p>",
           question_text="1. Read the two models below.", topic="Model Evaluation"),
         E(51, "Why squared error?", "<p>It is the Gaussian log-likelihood.</p>", topic="Objective Functions and Losses"),
         name="General Concepts In Machine Learning"),
    case("indented-code-after-separator-is-outside-any-card",
         "# Concepts\n## Code\n"
         "### Q: Why vectorise?\nFewer Python loops.\n\n---\n\n"                                  # 3
         "    ```python\n    total = x.sum()\n    ```\n\n"
         "### Q: Why profile?\nTo find the slow part.\n",                                           # 12
         E(3, "Why vectorise?", "<p>Fewer Python loops.</p>", topic="Code"),
         E(12, "Why profile?", "<p>To find the slow part.</p>", topic="Code")),
    case("answer-label-alone-then-blank-line",
         "# Notes\n## Basics\n#### Why scale features?\nAnswer:\n\nDistances stay comparable.\n\n"   # 3
         "#### Why split data?\n**Answer:**\n\nTo measure generalisation.\n",                       # 8
         E(3, "Why scale features?", "<p>Distances stay comparable.</p>", topic="Basics"),
         E(8, "Why split data?", "<p>To measure generalisation.</p>", topic="Basics")),

    # Numbered-list questions with "- Answer:" ------------------------------------------------
    case("list-questions-with-answer-bullets", LIST_FILE,
         E(5, "<strong>Why are generative models useful?</strong>",
           "<p>They learn the data distribution.</p>\n<p><strong>Uses:</strong> sampling new data.</p>",
           question_text="Why are generative models useful?", topic="Generative Models"),
         E(15, "<strong>How does a GAN train?</strong>",
           "<ul>\n<li>A generator makes samples.</li>\n<li>A discriminator judges them.</li>\n</ul>",
           question_text="How does a GAN train?", topic="Generative Models"),
         E(22, "How does a VAE differ from a GAN?", "<p>A VAE maximises a likelihood bound.</p>",
           topic="Generative Models"),
         E(28, "Why does mode collapse happen?", "<p>The generator covers few modes.</p>", topic="Generative Models"),
         E(34, "<strong>Why normalise embeddings?</strong>", "<p>Cosine similarity becomes a dot product.</p>",
           question_text="Why normalise embeddings?", topic="Embeddings"),
         name="Common Generative AI Interview Questions"),
    case("list-answer-repeating-bold-answer-label",
         "# GenAI\n## Models\n"
         "1. **Why use attention?**\n- Answer:\n    **Answer:**\n\n    Every token sees every other token.\n\n"  # 3
         "2. **Why use dropout?**\n- Answer:\n    **Answer:** It reduces co-adaptation.\n\n"                    # 9
         "3. **Why use warmup?**\n- Answer: It keeps early updates small.\n",                                     # 13
         E(3, "<strong>Why use attention?</strong>", "<p>Every token sees every other token.</p>",
           question_text="Why use attention?", topic="Models"),
         E(9, "<strong>Why use dropout?</strong>", DIRECT + "It reduces co-adaptation.</p>",
           question_text="Why use dropout?", topic="Models"),
         E(13, "<strong>Why use warmup?</strong>", "<p>It keeps early updates small.</p>",
           question_text="Why use warmup?", topic="Models")),

    # Numbered headings with sub-headings inside answers ---------------------------------------
    case("numbered-headings-subheadings-stay-in-answer", NUMBERED_FILE,
         E(6, "Why do you use feature selection?",
           "<p>It removes noisy features.</p>\n<h4>Filter Methods</h4>\n<p>They rank features by a statistic.</p>\n"
           "<h4>Wrapper Methods</h4>\n<p>They search subsets with a model.</p>"),
         E(13, "Explain regularization.", "<p>A penalty on large weights.</p>\n<h3>L1</h3>\n<p>Sparse weights.</p>"),
         E(18, "Logistic regression", "<p>It models the log-odds linearly.</p>"),
         E(21, "Notes from a course", "<ul>\n<li>Use a dev set.</li>\n<li>Use a test set.</li>\n</ul>"),
         name="X"),
    case("numbered-headings-under-a-title",
         "# Data science Q&A\n\n"
         "## 1. Why do you use feature selection?\nIt removes noise.\n#### Filter Methods\nRank by a statistic.\n\n"
         "## 2. Explain regularization.\nA penalty on weights.\n\n"                  # 8
         "## 3. Why does a model overfit?\nIt memorises noise.\n",                   # 11
         E(3, "Why do you use feature selection?",
           "<p>It removes noise.</p>\n<h4>Filter Methods</h4>\n<p>Rank by a statistic.</p>"),
         E(8, "Explain regularization.", "<p>A penalty on weights.</p>"),
         E(11, "Why does a model overfit?", "<p>It memorises noise.</p>"),
         name="Data science Q&A"),
    case("line-ending-in-br-is-one-line-break",
         "## 1. Why scale?\nDistances stay comparable.<br/>\nGradients behave.\n\n"
         "## 2. Why split?\nTo test.\n\n## 3. Why tune?\nTo fit.\n",
         E(1, "Why scale?", "<p>Distances stay comparable.<br>\nGradients behave.</p>"),
         E(5, "Why split?", "<p>To test.</p>"),
         E(8, "Why tune?", "<p>To fit.</p>")),

    # Task-list options and "a)..d)" lines -------------------------------------------------------
    case("task-list-options-stems-and-explanations", TASK_FILE,
         mc(3, "Which algorithm is <strong>not</strong> supervised?",
            ("linear regression", "k-means clustering", "decision trees"), 1,
            question_text="Which algorithm is not supervised?"),
         mc(9, 'What does the learning curve show?\n'
               '<p><a href="https://example.org/machine-learning_Q2.jpg">curve</a></p>',
            ("underfitting", "overfitting"), 1, "<p>The training error is far below the test error.</p>",
            question_text="What does the learning curve show?"),
         mc(18, "Which matrix is this?\n" + TABLE_STEM, ("a confusion matrix", "a covariance matrix"), 0,
            "<p>It counts predictions per class.</p>", question_text="Which matrix is this?"),
         mc(29, "Which one is an ensemble?", ("KNN", "random forest"), 1,
            '<p><a href="https://example.org/rf">Reference</a></p>'),
         mc(36, "Which loss suits classification?",
            ("mean squared error", "cross-entropy", "hinge on regression", "L1"), 1,
            "<p>It compares distributions.</p>"),
         name="Machine Learning"),
    case("task-list-bare-explanation-line",
         "# Quiz\n## ML\n#### Q7. Which is a loss?\n\n- [ ] ReLU\n- [x] MSE\n\nExplanation: MSE is a loss.\n",
         mc(3, "Which is a loss?", ("ReLU", "MSE"), 1, "<p>MSE is a loss.</p>", topic="ML")),
    case("q-number-stripped-from-question-text",
         "# Quiz\n## ML\n#### Q12. Why regularise?\nTo limit variance.\n"
         "#### Q 13: Why normalise?\nTo speed training.\n#### 14) Why batch?\nTo use the GPU.\n",
         E(3, "Why regularise?", "<p>To limit variance.</p>", topic="ML"),
         E(5, "Why normalise?", "<p>To speed training.</p>", topic="ML"),
         E(7, "Why batch?", "<p>To use the GPU.</p>", topic="ML")),

    # Front matter -------------------------------------------------------------------------------
    case("front-matter-question-level-2",
         "---\nmlanki:\n  question_level: 2\n---\n"
         "# Tensors\n## What is a tensor?\nA multi-dimensional array.\n### Rank\nThe number of axes.\n"  # 6
         "## Why use a GPU?\nFast matrix products.\n",                                                # 10
         E(6, "What is a tensor?", "<p>A multi-dimensional array.</p>\n<h3>Rank</h3>\n<p>The number of axes.</p>"),
         E(10, "Why use a GPU?", "<p>Fast matrix products.</p>"),
         name="Tensors"),
    case("front-matter-question-style-bold-below-evidence",
         "---\ntitle: My Deck\nmlanki:\n  question_style: bold\n---\n# Notes\n\n"
         "**Why is bias a problem?**\nIt underfits.\n\n"                                              # 8
         "**Why is variance a problem?**\nIt overfits.\n",                                            # 11
         E(8, "Why is bias a problem?", "<p>It underfits.</p>"),
         E(11, "Why is variance a problem?", "<p>It overfits.</p>"),
         name="My Deck"),
    case("front-matter-question-style-list-single-question",
         "---\nmlanki:\n  question_style: list\n---\n# Notes\n\n"
         "1. **Why is bias a problem?**\n- Answer: It underfits.\n",                                  # 7
         E(7, "<strong>Why is bias a problem?</strong>", "<p>It underfits.</p>",
           question_text="Why is bias a problem?"),
         name="Notes"),
    case("front-matter-question-style-heading-ignores-bold-lines",
         "---\nmlanki:\n  question_style: heading\n---\n# Notes\n## Basics\n"
         "**Why a? 👶**\nA.\n\n**Why b? 👶**\nB.\n\n**Why c? 👶**\nC.\n\n"
         "#### Why a real question?\nBecause it is a heading.\n",                                    # 16
         E(16, "Why a real question?", "<p>Because it is a heading.</p>", topic="Basics")),
    case("front-matter-line-breaks-false",
         "---\nmlanki:\n  line_breaks: false\n---\n# Notes\n## Basics\n#### Why?\nOne.\nTwo.\n",
         E(7, "Why?", "<p>One.\nTwo.</p>", topic="Basics")),
    case("front-matter-bad-values-and-unknown-key",
         "---\nmlanki:\n  question_style: sideways\n  question_level: 0\n  colour: blue\n---\n"
         "# Notes\n## Basics\n#### Why?\nBecause.\n",
         E(9, "Why?", "<p>Because.</p>", topic="Basics"),
         diagnostics=[ERR(2, "front-matter"), ERR(2, "front-matter"), ERR(2, "front-matter")]),
    case("front-matter-invalid-yaml",
         "---\nmlanki: [unclosed\n---\n# Notes\n## Basics\n#### Why?\nBecause.\n",
         E(6, "Why?", "<p>Because.</p>", topic="Basics"),
         diagnostics=[ERR(3, "front-matter")]),
    case("front-matter-not-a-mapping",
         "---\n- a\n- b\n---\n# Notes\n## Basics\n#### Why?\nBecause.\n",
         E(7, "Why?", "<p>Because.</p>", topic="Basics"),
         diagnostics=[ERR(2, "front-matter")]),
    case("front-matter-mlanki-not-a-mapping",
         "---\nmlanki: 3\n---\n# Notes\n## Basics\n#### Why?\nBecause.\n",
         E(6, "Why?", "<p>Because.</p>", topic="Basics"),
         diagnostics=[ERR(2, "front-matter")]),
]


@pytest.mark.parametrize("source, entries, diagnostics, name", CASES)
def test_style(source, entries, diagnostics, name):
    deck = parse_text(source, file=FILE)
    assert entries_of(deck) == entries
    assert diagnostics_of(deck) == diagnostics
    if name is not None:
        assert deck.name == name


# -- messages of front-matter errors -------------------------------------------------------------
def test_front_matter_error_messages():
    deck = parse_text("---\nmlanki:\n  question_style: sideways\n  question_level: 0\n  colour: blue\n---\n"
                      "# Notes\n## Basics\n#### Why?\nBecause.\n", file=FILE)
    assert [str(d) for d in deck.diagnostics] == [
        "x.md:2: error: front matter: question_style: 'sideways' is not allowed; expected one of auto, heading, bold, list",
        "x.md:2: error: front matter: question_level: 0 is not allowed; expected a heading level 1 to 6 or auto",
        "x.md:2: error: front matter: unknown mlanki setting 'colour'; known: topic_level, question_level, "
        "question_style, line_breaks, missing_media, source_url, deck_id",
    ]


# -- identity does not hang on the question's number -----------------------------------------------
RENUMBERED = [
    ("#### Q12. Which loss suits classification?", "#### Q13. Which loss suits classification?"),
    ("## 12. Why do you use feature selection?", "## 13. Why do you use feature selection?"),
    ("#### Q12. Which loss suits classification?", "#### Q 13: Which loss suits classification?"),
]


def _one_question_file(heading: str) -> str:
    filler = "".join(f"{heading.split()[0]} {n}. Filler question {n}?\nFiller {n}.\n\n" for n in (90, 91, 92))
    return f"# Quiz\n\n{heading}\nThe answer.\n\n" + (filler if heading.startswith("## ") else "")


@pytest.mark.parametrize("before, after", RENUMBERED)
def test_renumbering_keeps_identity(before, after):
    decks = [parse_text(_one_question_file(h), file=FILE) for h in (before, after)]
    texts = [d.entries[0].question_text for d in decks]
    assert texts[0] == texts[1]
    assert normalise_question(texts[0]) == normalise_question(texts[1])
    specs = [notes_for(d) for d in decks]
    assert [s.key for s in specs[0]] == [s.key for s in specs[1]]
    guids = [[n.guid for n in plan_deck(Record(), "Quiz", s, default_notetypes(), NOW).notes] for s in specs]
    assert guids[0] == guids[1]


def test_renumbered_question_keeps_its_note_across_builds():
    record = Record()
    first = plan_deck(record, "Quiz", notes_for(parse_text(
        "# Quiz\n## ML\n#### Q12. Which loss suits classification?\nCross-entropy.\n", file=FILE)),
        default_notetypes(), NOW)
    second = plan_deck(record, "Quiz", notes_for(parse_text(
        "# Quiz\n## ML\n#### Q13. Which loss suits classification?\nCross-entropy.\n", file=FILE)),
        default_notetypes(), NOW + 60)
    assert [n.guid for n in second.notes] == [n.guid for n in first.notes]
    assert (second.added, second.changed, second.retired) == ([], [], [])
