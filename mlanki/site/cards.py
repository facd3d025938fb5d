"""A package as Anki shows it: import it into a throwaway collection and let Anki render every card.

Nothing here reads the package's tables itself: the official ``anki`` package imports it with the
options a fresh profile uses and renders each card with the note type's own templates, so the site
shows exactly the HTML a learner's reviewer gets (CSS is kept per note type, as Anki keeps it).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

MATH = re.compile(r"\\\[.*?\\\]|\\\(.*?\\\)", re.S)  # what makes Anki's reviewer typeset with MathJax
_TAG = re.compile(r"<[^>]+>")
_STYLE = re.compile(r"(?is)<style\b.*?</style>")
_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc=)(["'])(.*?)\2""", re.I)
RETIRED_TAG = "mlanki::retired"
KINDS = ("basic", "multiple choice", "cloze", "definition cloze")   # told apart by mlanki's tags


@dataclass(frozen=True)
class Card:
    """One card: Anki's question and answer HTML, and what the page needs around them."""

    id: int
    ordinal: int        # the template's ordinal + 1: Anki's ``cardN`` class
    topic: str
    kind: str           # basic | multiple choice | cloze | definition cloze
    css_key: int        # the note type, whose CSS styles this card
    question: str
    answer: str
    text: str           # plain text of the card (the back, and the front unless the back repeats it), for search
    label: str          # the front's text without its topic line: how search results name the card
    source: str

    @property
    def has_math(self) -> bool:
        return bool(MATH.search(self.question) or MATH.search(self.answer))


@dataclass(frozen=True)
class DeckView:
    """A deck as Anki holds it after an import: name, description, note type CSS and cards in study order."""

    name: str
    description: str
    css: dict[int, str]
    cards: tuple[Card, ...]
    retired: int
    media: tuple[str, ...]   # file names copied into the media folder the pages use

    @cached_property
    def topics(self) -> list[tuple[str, list[Card]]]:
        """Cards grouped by topic, topics in the order their first card is studied (worked out once)."""
        groups: dict[str, list[Card]] = {}
        for card in self.cards:
            groups.setdefault(card.topic, []).append(card)
        return list(groups.items())


def read_package(package: Path, media_out: Path) -> DeckView:
    """Import ``package`` into a fresh collection (deleted afterwards) and collect its cards as Anki renders them.

    Media files the cards use are copied to ``media_out``; image sources are pointed there.
    """
    from anki.collection import Collection

    folder = tempfile.mkdtemp(prefix="mlanki-site-")
    col = Collection(os.path.join(folder, "collection.anki2"))
    try:
        import_package(col, package)
        return _view(col, media_out)
    finally:
        col.close()
        shutil.rmtree(folder, ignore_errors=True)


def import_package(col, package: Path) -> None:
    """Import ``package`` into ``col`` with the options a fresh profile uses."""
    from anki.collection import ImportAnkiPackageRequest
    from anki.errors import AnkiException

    from mlanki.errors import MlankiError

    options = col._backend.get_import_anki_package_presets()  # a fresh profile's import defaults
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=os.fspath(package.resolve()), options=options))
    except AnkiException as problem:
        raise MlankiError(f"{package}: Anki cannot import this package: {problem}") from None


@dataclass(frozen=True)
class Rendered:
    """One card as Anki rendered it, with what the deck around it needs: its top deck and media files used."""

    card: Card
    deck: str
    media: frozenset[str]


def render_card(card, note, decks: dict[int, str], media: set[str]) -> Rendered:
    """``card`` (an anki Card of ``note``, not retired) as the page shows it."""
    notetype = note.note_type()
    deck, _, topic = decks[card.did].partition("::")
    output = card.render_output()
    used: set[str] = set()
    # A <style> inside a field would restyle the whole page (in Anki it only reaches its own card).
    question = _media_paths(_STYLE.sub("", output.question_text), media, used)
    answer = _media_paths(_STYLE.sub("", output.answer_text), media, used)
    return Rendered(Card(card.id, card.ord + 1, topic, _kind(note, notetype), notetype["id"], question, answer,
                         _search_text(question, answer), _label(question, topic),
                         note["Source"] if "Source" in note else ""), deck, frozenset(used))


def deck_names(col) -> dict[int, str]:
    return {d.id: d.name for d in col.decks.all_names_and_ids()}


def media_names(col) -> set[str]:
    """The files in the collection's media folder: the names an image source may point at."""
    media_dir = Path(col.media.dir())
    return {p.name for p in media_dir.iterdir()} if media_dir.is_dir() else set()


def deck_view(col, rendered: list[Rendered], retired: int) -> DeckView:
    """The deck of ``rendered`` (in study order): its name and description, its note types' CSS."""
    decks = deck_names(col)
    top = rendered[0].deck if rendered else next((n for n in decks.values() if n != "Default"), "Default")
    description = next((col.decks.get(i)["desc"] for i, n in decks.items() if n == top), "")
    css = {key: col.models.get(key)["css"] for key in sorted({r.card.css_key for r in rendered})}
    used = sorted(set().union(*(r.media for r in rendered)))
    return DeckView(top, description, css, tuple(r.card for r in rendered), retired, tuple(used))


def _view(col, media_out: Path) -> DeckView:
    decks, media = deck_names(col), media_names(col)
    rendered, retired = [], 0
    for card in sorted((col.get_card(cid) for cid in col.find_cards("")), key=lambda c: (c.due, c.ord, c.id)):
        note = card.note()
        if RETIRED_TAG in note.tags:
            retired += 1
        else:
            rendered.append(render_card(card, note, decks, media))
    view = deck_view(col, rendered, retired)
    if view.media:
        media_out.mkdir(parents=True, exist_ok=True)
        for name in view.media:
            shutil.copyfile(Path(col.media.dir()) / name, media_out / name)
    return view


def _kind(note, notetype) -> str:
    if "mlanki::definition" in note.tags:
        return "definition cloze"
    if "mlanki::multiple-choice" in note.tags:
        return "multiple choice"
    return "cloze" if notetype["type"] == 1 else "basic"


def _media_paths(text: str, media: set[str], used: set[str]) -> str:
    """Point images at the site's media folder (Anki's reviewer has the media folder as its base)."""
    def point(match: re.Match) -> str:
        name = html.unescape(match[3])
        if name not in media:
            return match[0]
        used.add(name)
        return f"{match[1]}{match[2]}media/{match[3]}{match[2]}"
    return _IMG_SRC.sub(point, text)


def _search_text(question: str, answer: str) -> str:
    """The back's text, which usually repeats the front; the front too when it does not (a cloze's gaps)."""
    front, back = _plain(question), _plain(answer)
    return back if front in back else f"{front} {back}"


def _label(question: str, topic: str) -> str:
    front = _plain(question)
    return front[len(topic):].lstrip() if topic and front.casefold().startswith(topic.casefold()) else front


def _plain(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())
