"""Property tests (hypothesis): the parser never raises, identity ignores whitespace and end
punctuation, a generated Micro-Learning file gives exactly its questions, in order, on their lines,
and every diagnostic points at a line of the file (a missing image at the line that holds it).

Example counts are kept modest so the file runs in seconds; ``@example`` pins inputs that once failed.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mlanki.entries import Deck
from mlanki.identity import plan_deck
from mlanki.mapping import ENTRY, normalise_question, notes_for
from mlanki.notetypes import BASIC, default_notetypes
from mlanki.parse import parse_text
from mlanki.record import Record
from mlanki.settings import Settings

FILE = "x.md"
NOW = 1_764_000_000
FAST = settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


# -- (a) parse_text never raises ---------------------------------------------------------------
FRAGMENTS = [
    "***", "***\n***", "---", "&nbsp;", "<br/>", "<br>", "$", "$$", "$x^2$", "$$\n\\sum x\n$$", "\\(x\\)", "\\[x\\]",
    "\\[my last name \\]", "`", "```", "```python", "    ```python", "`code`", "~~~", "<details>",
    "<details><summary><b>💡 Show Answer</b></summary>", "<summary><b>Show Answer</b></summary>", "</details>",
    "{{c1::x}}", "{{c2::", "}}", "==x==", "==", "👶", "\u200d⭐️", "🚀", "\u2061", "\u200b", "\ufeff", "\u00a0",
    "* A) ReLU", "* a) Sigmoid", "* B) Adam", "* KNN is sensitive", "- [ ] wrong", "- [x] right", "- [X] right",
    "A) one", "a) one", "b) two", "(C) three", "Answer options:", "Answer options: A. x B. y C. z",
    "Answer options: A) Accuracy B) Precision", "The correct answer is option 9.", "The correct answer is C.",
    "The correct answer is b) cross-entropy.", "(option C)", 'the "C) RMSprop" optimizer', "Detail:",
    "Detail: The correct answer is option 1.", "**Explanation:**", "**Explanation**:", "Explanation:",
    "Answer:", "Answer: yes", "Answer here", "- Answer:", "- Answer", "    indented body", "1. **Why?**",
    "**1.** Why?", "4. Why?", "**What is regression? 👶**", "**Bold line**", "|a|b|\n|-|-|\n|1|2|",
    "![x](img/missing.png)", "![x](https://example.org/x.png)", '<img src="img/a.png" alt="a" />',
    "<!-- mlanki-id: x -->", "<!--", "-->", "[back to top](#top)", "> quote", "\\", "*", "_", "**", "#", "[", "](",
    "What is X? - a - b - c", "X is a thing.", "<script>alert(1)</script>", "<table><tr><td>x</td></tr></table>",
    "---\nmlanki:\n  question_style: list\n---", "---\nmlanki: [\n---", "Topic1: Basics", "Contact me:",
]


def _heading():
    return st.builds(lambda level, text, q: "#" * level + " " + q + text, st.integers(1, 7),
                     st.text(max_size=30), st.sampled_from(["", "Q1. ", "Q: ", "12. ", "**Topic1: ", "Q 3: "]))


MARKDOWNISH = st.lists(
    st.tuples(st.one_of(st.sampled_from(FRAGMENTS), _heading(), st.text(max_size=20)),
              st.sampled_from(["\n", "\n\n", " ", "", "\n    ", "\r\n"])),
    max_size=40,
).map(lambda parts: "".join(text + sep for text, sep in parts))

SETTINGS = st.builds(
    Settings,
    topic_level=st.integers(1, 6),
    question_level=st.none() | st.integers(1, 6),
    question_style=st.sampled_from(["auto", "heading", "bold", "list"]),
    line_breaks=st.booleans(),
    missing_media=st.sampled_from(["error", "warning"]),
)


def _parses(text: str, lint: bool, chosen: Settings | None = None) -> Deck:
    deck = parse_text(text, file=FILE, settings=chosen, lint=lint)
    assert isinstance(deck, Deck)
    assert isinstance(deck.entries, tuple)
    return deck


@pytest.mark.parametrize("lint", [False, True])
@FAST
@given(text=st.text())
def test_never_raises_on_arbitrary_text(lint, text):
    _parses(text, lint)


@pytest.mark.parametrize("lint", [False, True])
@FAST
@given(text=st.text(alphabet=st.characters(codec="utf-8", categories=("Cc", "Cf", "Zs", "Zl", "Zp", "Po", "So")))
       | st.text(alphabet="#*-_`$<>[](){}=!:.?|\\ \t\r\n\x00\x0b\x0c\u2028\u2029"))
def test_never_raises_on_control_and_punctuation(lint, text):
    _parses(text, lint)


@pytest.mark.parametrize("lint", [False, True])
@FAST
@given(text=MARKDOWNISH)
@example(text="#### Why?\nAnswer:\n\nBecause.\n")            # a lone "Answer:" line, then a blank line
@example(text="#### Why?\n**Answer:**\n\nBecause.\n")
@example(text="#### Why?\nA.\n\n***\n\n    indented code\n")  # an indented code block after ***
@example(text="***\n    ***\n")
def test_never_raises_on_markdownish_fragments(lint, text):
    _parses(text, lint)


@FAST
@given(text=MARKDOWNISH, chosen=SETTINGS, lint=st.booleans())
@example(text="1. **Why?**\n- Answer:\n    **Answer:**\n\n    Body.\n", chosen=Settings(question_style="list"), lint=False)
@example(text="---\n    - a\n", chosen=Settings(question_style="list"), lint=False)
def test_never_raises_with_any_settings(text, chosen, lint):
    _parses(text, lint, chosen)


@FAST
@given(text=MARKDOWNISH)
@example(text="# Deck\nIntro ![x](img/missing.png)\n## T\n#### Why?\nA.\n")  # an image in the description
def test_locations_are_lines_of_the_file(text):
    deck = _parses(text, lint=True)
    last = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))  # a lone CR ends a line too
    for where in [e.location for e in deck.entries] + [d.location for d in deck.diagnostics + deck.notices]:
        assert where.file == FILE
        assert 1 <= where.line <= last


# -- (b) whitespace and end punctuation never change a question's GUID ------------------------------
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).filter(
    lambda w: w not in ("what", "q", "question", "topic", "contents", "contact", "todo", "tbd"))
QUESTION_WORDS = st.lists(WORD, min_size=2, max_size=6)
GAP = st.sampled_from([" ", "  ", "   ", "\t", " \t ", "\u00a0", " &nbsp; "])
END = st.sampled_from(["", "?", ".", ":", "!", "??", " ?", "...", "?."])


@st.composite
def spaced_heading(draw, words):
    """The question heading written with arbitrary spaces and trailing punctuation."""
    indent = draw(st.sampled_from(["", " ", "  ", "   "]))
    after_marks = draw(st.sampled_from([" ", "  ", "   ", " \t", " \u00a0"]))  # a heading needs a space or tab first
    gaps = [draw(GAP) for _ in words[1:]]
    text = words[0] + "".join(g + w for g, w in zip(gaps, words[1:]))
    trailing = draw(st.sampled_from(["", " ", "  ", "\t", " \t", "&nbsp;", "\u00a0 "]))
    return f"{indent}####{after_marks}{text}{draw(END)}{trailing}"


def _guids(heading: str) -> list[str]:
    text = ("# **Deck**\n## **Topic1: Basics**\n"
            "#### Why does a model overfit?\nIt memorises noise.\n"
            f"{heading}\nBecause of the data.\n"
            "#### Why are GPUs used?\nThey multiply matrices fast.\n")
    deck = parse_text(text, file=FILE)
    specs = notes_for(deck)
    assert [s.kind for s in specs] == [BASIC] * 3
    plan = plan_deck(Record(), deck.name, specs, default_notetypes(), NOW)
    return [n.guid for n in plan.notes]


@FAST
@given(data=st.data(), words=QUESTION_WORDS)
def test_whitespace_and_end_punctuation_keep_the_guid(data, words):
    plain = "#### " + " ".join(words) + "?"
    edited = data.draw(spaced_heading(words), label="edited heading")
    assert _guids(edited) == _guids(plain)


@FAST
@given(data=st.data(), words=QUESTION_WORDS)
def test_whitespace_and_end_punctuation_keep_the_key(data, words):
    plain = "#### " + " ".join(words) + "?"
    edited = data.draw(spaced_heading(words), label="edited heading")
    keys = []
    for heading in (plain, edited):
        deck = parse_text(f"# **Deck**\n## **Topic1: Basics**\n{heading}\nBecause of the data.\n", file=FILE)
        keys.append([s.key for s in notes_for(deck)])
    assert keys[0] == keys[1] == [" ".join(words)]


# -- (c) a generated Micro-Learning file gives exactly its questions, in order ----------------------
@st.composite
def micro_learning_file(draw):
    """(source, expected [(line, question_text, topic)]) for a valid file with unique questions."""
    lines = ["# **Machine Learning Micro-Learning**", "An introduction line.", ""]
    expected = []
    seen = set()
    for topic_number in range(1, draw(st.integers(1, 3)) + 1):
        topic = " ".join(w.capitalize() for w in draw(st.lists(WORD, min_size=1, max_size=3)))
        lines += [f"## **Topic{topic_number}: {topic}**", ""]
        if draw(st.booleans()):
            lines += ["&nbsp;", ""]
        for _ in range(draw(st.integers(1, 5))):
            words = draw(QUESTION_WORDS.filter(lambda ws: normalise_question(" ".join(ws)) not in seen))
            seen.add(normalise_question(" ".join(words)))
            question = words[0].capitalize() + " " + " ".join(words[1:]) + draw(st.sampled_from(["?", ".", ":", ""]))
            level = draw(st.sampled_from([4, 5]))
            bold = draw(st.booleans())
            lines.append("#" * level + " " + (f"**{question}**" if bold else question))
            expected.append((len(lines), question, topic))
            lines.append("Because " + " ".join(draw(st.lists(WORD, min_size=1, max_size=6))) + ".")
            lines += draw(st.sampled_from([[""], ["***"], ["", "***", ""], ["", "***", "***", ""], []]))
    return "\n".join(lines) + "\n", expected


@settings(max_examples=200, deadline=None, database=None)
@given(generated=micro_learning_file())
def test_each_question_heading_gives_one_entry_on_its_line(generated):
    source, expected = generated
    deck = parse_text(source, file=FILE)
    assert deck.diagnostics == ()
    assert deck.name == "Machine Learning Micro-Learning"
    assert [(e.location.line, e.question_text, e.topic) for e in deck.entries] == expected
    assert [str(e.location) for e in deck.entries] == [f"{FILE}:{line}" for line, _q, _t in expected]
    assert all(e.options == () and e.correct is None and e.cloze == "" for e in deck.entries)
    specs = notes_for(deck)
    assert [(s.kind, s.role, s.key) for s in specs] == [(BASIC, ENTRY, normalise_question(q)) for _l, q, _t in expected]


# -- a missing image is reported on the line that holds it -----------------------------------------
HEAD_LINES = "# **Deck**\nAn introduction.\n\n## **Topic1: Basics**\n\n"  # lines 1-5
@st.composite
def file_with_missing_images(draw):
    """(source, {image name: line}) for a Micro-Learning file with missing images in random places."""
    images: dict[str, int] = {}
    lines: list[str] = []

    def maybe_image(text: str) -> str:
        if not draw(st.booleans()):
            return text
        name = f"img/missing-{len(images)}.png"
        images[name] = len(lines) + 1  # the line this text is about to be written on
        return f"{text} ![figure]({name})"

    lines += HEAD_LINES.split("\n")[:-1]
    for number in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            lines.append(maybe_image(f"#### Which plot shows case {number}?"))
            lines.append(maybe_image("* A) The first"))
            lines.append(maybe_image("* B) The second"))
            lines += ["", "The correct answer is B.", ""]
        else:
            lines.append(maybe_image(f"#### What does figure {number} show?"))
            for n in range(draw(st.integers(1, 3))):
                lines.append(maybe_image(f"Point {n}."))
            lines.append("")
    return "\n".join(lines) + "\n", images


def _reported_images(source: str) -> dict[str, str]:
    deck = parse_text(source, file=FILE)
    return {d.message.split("'")[1]: str(d.location) for d in deck.diagnostics if d.code == "image"}


@settings(max_examples=150, deadline=None, database=None)
@given(generated=file_with_missing_images())
@example(generated=(HEAD_LINES + "#### Why?\nA.\n#### What does ![f](img/missing-0.png) show?\nA plot.\n",
                    {"img/missing-0.png": 8}))  # an image in a question heading
@example(generated=(HEAD_LINES + "#### Which?\n* A) x\n* B) ![f](img/missing-0.png)\n\nThe correct answer is A.\n",
                    {"img/missing-0.png": 8}))  # an image in an option
@example(generated=(HEAD_LINES + "#### Why?\nA.\nB ![f](img/missing-0.png)\n", {"img/missing-0.png": 8}))
def test_missing_image_in_an_entry_is_reported_on_its_line(generated):
    source, images = generated
    assert _reported_images(source) == {name: f"{FILE}:{line}" for name, line in images.items()}


def test_missing_image_in_the_introduction_is_reported_on_its_line():
    source = "# **Deck**\nAn introduction. ![figure](img/missing-0.png)\n\n## **Topic1: Basics**\n#### Why?\nA.\n"
    assert _reported_images(source) == {"img/missing-0.png": f"{FILE}:2"}
