"""Fuzzing the whole pipeline: sources from a grammar of every construct, and mutations of the bundled file.

For every generated project (bounded so the suite stays fast): no traceback, exit code 0 or 1 only,
``check --format json`` prints valid JSON, ``check`` reports an error exactly when ``build`` exits 1,
and every package of a successful build imports into a fresh collection with the official ``anki``
package and renders every card (``card.question()``, ``card.answer()``) with nothing live in it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from anki_support import fresh_collection, import_package
from conftest import BUNDLED
from mlanki.cli import cli
from test_inert import problems_in

EXAMPLES = int(os.environ.get("MLANKI_FUZZ_EXAMPLES", "60"))  # per strategy; raise it for a long local run
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
                    "0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082")

# -- the grammar ------------------------------------------------------------------------------------------
_HOSTILE = ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', '<a href="javascript:alert(1)">j</a>',
            '<span style="color:#fff;background:url(http://t.example/x)">s</span>', '<div style="margin:-9999px">m</div>',
            '<img src="http://t.example/p.gif">', "<svg/onload=alert(1)>", "<style>*{display:none}</style>",
            "List<String>", "a < b && c > d", "&amp; &lt; &#0; &#x1f; &#xd800; &bogus;", "<details><summary>S</summary>x"]
_ATOMS = ["What is X?", "dropout", "ReLU", "`code`", "*em*", "**strong**", "$x^2$", "$5", "\\(a\\)", "==mark==",
          "{{c1::gap}}", "{{c2::two::hint}}", "{{c1::", "{{c0::z}}", "{{c1::}}", "{{c100::n}}", "{{c101::n}}",
          "[link](https://example.org)", "[toc](#top)", "![img](fig.png)", "![missing](nope.png)",
          "![remote](https://example.org/r.png)", "![outside](../x.png)", "<!-- mlanki-id: same -->", "é ✓ 👶",
          "\u200b", "\t", "\x1f", "\x0c", "😀" * 3, "A) one", "(option B)", "The correct answer is B.",
          "<br/>", "|a|b|", "Q12.", "1.", "- [x] done", ":", "#"]
text = st.lists(st.one_of(st.sampled_from(_ATOMS + _HOSTILE),
                          st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)),
                min_size=0, max_size=5).map(" ".join)
front_matter = st.one_of(
    st.just(""),
    st.builds(lambda k, v: f"---\nmlanki:\n  {k}: {v}\n---\n",
              st.sampled_from(["topic_level", "question_level", "question_style", "line_breaks", "missing_media",
                               "colour"]),
              st.sampled_from(["2", "3", "auto", "bold", "list", "heading", "true", "no", "warning", "9", "[1]",
                               "True", '"\\ud800"', "*a", "{a: 1}"])),
    st.builds(lambda t: f"---\ntitle: {json.dumps(t)}\n---\n", text),
    st.just("---\na: &a [x, x]\nb: [*a, *a]\n---\n"), st.just("---\n[unclosed\n---\n"))
answer_block = st.one_of(
    text,
    st.builds(lambda items: "\n".join(f"* {chr(65 + i)}) {t}" for i, t in enumerate(items))
              + "\n\nThe correct answer is B.", st.lists(text, min_size=1, max_size=4)),
    st.builds(lambda lang, code: f"```{lang}\n{code}\n```", st.sampled_from(["", "python", "js", "nope"]), text),
    st.builds(lambda code: f"```python\n{code}\n", text),  # never closed
    st.builds(lambda a, b: f"| h | k |\n|---|---|\n| {a} | {b} |", text, text),
    st.builds(lambda t: f"$$\n{t}\n$$", text),
    st.builds(lambda t: f"<details><summary>Show Answer</summary>\n\n{t}\n\n</details>", text),
    st.builds(lambda t: f"- Answer: {t}", text),
    st.just("![img](fig.png)"),
)
question = st.one_of(
    st.builds(lambda level, t: "#" * level + " " + t, st.integers(3, 6), text),
    st.builds(lambda t: f"**{t}?**", text),
    st.builds(lambda n, t: f"{n}. **{t}?**", st.integers(1, 30), text),
    st.builds(lambda t: f"### Q: {t}", text),
)
entry = st.builds(lambda q, answers, sep: q + "\n" + "\n\n".join(answers) + ("\n***" if sep else ""),
                  question, st.lists(answer_block, min_size=0, max_size=3), st.booleans())
topic = st.builds(lambda t, entries: f"## **Topic1: {t}**\n\n" + "\n\n".join(entries),
                  st.one_of(text, st.sampled_from(_HOSTILE)), st.lists(entry, min_size=0, max_size=4))
document = st.builds(lambda fm, title, intro, topics, contact: fm + (f"# **{title}**\n{intro}\n\n" if title else "")
                     + "\n\n".join(topics) + ("\n\n## Contact me\nmail" if contact else "") + "\n",
                     front_matter, text, text, st.lists(topic, min_size=0, max_size=3), st.booleans())

# -- mutations of the bundled file --------------------------------------------------------------------------
_LINES = BUNDLED.read_text(encoding="utf-8").split("\n")
mutation = st.tuples(st.sampled_from(["delete", "duplicate", "swap", "insert", "truncate", "replace"]),
                     st.integers(0, len(_LINES) - 1), st.integers(0, len(_LINES) - 1),
                     st.one_of(st.sampled_from(_ATOMS + _HOSTILE), text))


def mutate(lines: list[str], steps) -> str:
    lines = list(lines)
    for kind, a, b, snippet in steps:
        a, b = a % max(len(lines), 1), b % max(len(lines), 1)
        if not lines:
            lines = [snippet]
        elif kind == "delete":
            del lines[a]
        elif kind == "duplicate":
            lines.insert(a, lines[a])
        elif kind == "swap":
            lines[a], lines[b] = lines[b], lines[a]
        elif kind == "insert":
            lines.insert(a, snippet)
        elif kind == "truncate":
            lines[a] = lines[a][: b % (len(lines[a]) + 1)]
        else:
            lines[a] = lines[a][: b % (len(lines[a]) + 1)] + snippet + lines[a][b % (len(lines[a]) + 1):]
    return "\n".join(lines)


mutated = st.lists(mutation, min_size=1, max_size=6).map(lambda steps: mutate(_LINES, steps))


# -- the properties -------------------------------------------------------------------------------------------
def run(args: list[str]):
    result = CliRunner().invoke(cli, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback from mlanki {' '.join(args)}") from result.exception
    assert result.exit_code in (0, 1), (args, result.exit_code, result.output)
    return result


def check_one_project(sources: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="mlanki-fuzz-") as folder:
        root = Path(folder)
        (root / "source").mkdir()
        (root / "source" / "fig.png").write_bytes(PNG)
        for name, body in sources.items():
            (root / "source" / name).write_bytes(body.encode("utf-8"))
        here = os.getcwd()
        os.chdir(root)
        try:
            checked = run(["check", "source", "--format", "json"])
            found = json.loads(checked.stdout)
            assert isinstance(found, list)
            built = run(["build", "source", "-o", "build"])
            errors = [d for d in found if d["level"] == "error"]
            assert bool(errors) == (built.exit_code == 1), (errors, built.output)
            assert (checked.exit_code == 1) == bool(errors)
            if built.exit_code == 0:
                col = fresh_collection(root)
                try:
                    packages = sorted((root / "build").glob("*.apkg"))
                    assert packages
                    for package in packages:
                        import_package(col, package)
                    cards = col.find_cards("")
                    assert cards
                    for card_id in cards:
                        card = col.get_card(card_id)
                        for html_text in (card.question(), card.answer()):
                            assert problems_in(html_text) == [], html_text
                finally:
                    col.close()
        finally:
            os.chdir(here)


# No shrinking by default: a failure prints the example as found, instead of minutes spent shrinking it
# (MLANKI_FUZZ_SHRINK=1 to shrink while investigating).
_PHASES = [Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("MLANKI_FUZZ_SHRINK") else [])
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, phases=_PHASES,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(st.lists(document, min_size=1, max_size=2))
def test_generated_sources(documents):
    check_one_project({f"deck{i}.md": text_ for i, text_ in enumerate(documents)})


@FUZZ
@given(mutated)
def test_mutations_of_the_bundled_file(text_):
    check_one_project({"ml-micro-learning.md": text_})
