"""The floor: the least work any Markdown-to-.apkg tool does, to compare mlanki against.

Parse with mistune 3 (tokens), split questions at ``####`` headings (answer = blocks up to the
next heading or ``***``), render question and answer with mistune's HTML renderer and write one
genanki basic note per question. No identity, no record, no multiple choice, no sanitising.

    python benchmarks/floor.py deck.md deck.apkg
    python benchmarks/floor.py deck.md deck.apkg 2   # questions are ``##`` headings (# Deck / ## Question)
"""

import sys
import warnings

import genanki
import mistune
from mistune.core import BlockState
from mistune.renderers.html import HTMLRenderer


def main(source: str, target: str, level: str = "4") -> None:
    with open(source, encoding="utf-8") as handle:
        tokens = mistune.create_markdown(renderer=None)(handle.read())
    renderer = HTMLRenderer()
    deck = genanki.Deck(2059400110, "floor")
    question, body = None, []

    def flush() -> None:
        if question is not None and body:
            front = renderer.render_tokens(question["children"], BlockState())
            back = renderer.render_tokens(body, BlockState())
            deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=[front, back]))

    for token in tokens:
        if token["type"] in ("heading", "thematic_break"):
            flush()
            question = token if token["type"] == "heading" and token["attrs"]["level"] == int(level) else None
            body = []
        elif token["type"] != "blank_line":
            body.append(token)
    flush()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # genanki's HTML-tag heuristics, as mlanki does
        genanki.Package(deck).write_to_file(target)
    print(f"{len(deck.notes)} notes")


if __name__ == "__main__":
    main(*sys.argv[1:4])
