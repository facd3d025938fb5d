"""The HTML pages: jinja2 templates over a deck's cards, split into pages of a fixed number of cards."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from markupsafe import Markup

from mlanki.site.cards import KINDS, Card, DeckView

_DECK_HEADING = re.compile(r"^## (.+)$", re.M)
_VERSION_LINE = re.compile(r'<p class="mlanki-version">.*?</p>')   # the index shows the version in the heading


@dataclass
class DeckPages:
    """One deck laid out as pages: each page a list of (topic, cards, continued from the previous page)."""

    slug: str
    view: DeckView
    version: str
    downloads: list[tuple[str, str]]   # (version or "latest", path from the site root)
    changelog: str                     # this deck's changelog section, Markdown
    page_size: int
    pages: list[list[tuple[str, list[Card], bool]]] = field(init=False)
    topic_ids: dict[str, str] = field(init=False)   # unique even when two topics' names slug alike

    def __post_init__(self) -> None:
        self.topic_ids = {}
        for topic, _cards in self.view.topics:
            base = "topic-" + (re.sub(r"[^a-z0-9]+", "-", topic.casefold()).strip("-") or "none")
            ids, n = set(self.topic_ids.values()), 1
            while (base if n == 1 else f"{base}-{n}") in ids:
                n += 1
            self.topic_ids[topic] = base if n == 1 else f"{base}-{n}"
        self.pages = [[]]
        room = self.page_size
        for topic, cards in self.view.topics:
            continued = False
            while cards:
                if room == 0:
                    self.pages.append([])
                    room = self.page_size
                taken, cards = cards[:room], cards[room:]
                self.pages[-1].append((topic, taken, continued))
                room -= len(taken)
                continued = True

    @property
    def name(self) -> str:
        return self.view.name

    @property
    def card_count(self) -> int:
        return len(self.view.cards)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def topic_id(self, topic: str) -> str:
        return self.topic_ids[topic]

    @staticmethod
    def href(number: int) -> str:
        return "index.html" if number == 1 else f"page-{number}.html"

    def numbered(self):
        return enumerate(self.pages, start=1)

    def toc(self) -> list[tuple[str, int, str]]:
        """(topic, cards, link to where it starts) for every topic."""
        starts, counts = {}, {}
        for number, page in self.numbered():
            for topic, cards, _continued in page:
                starts.setdefault(topic, f"{self.href(number)}#{self.topic_id(topic)}")
                counts[topic] = counts.get(topic, 0) + len(cards)
        return [(topic, counts[topic], starts[topic]) for topic in starts]

    def counts(self) -> list[tuple[str, dict[str, int]]]:
        """Cards per topic and kind, for the index page."""
        table = []
        for topic, cards in self.view.topics:
            kinds = {kind: sum(1 for c in cards if c.kind == kind) for kind in KINDS}
            table.append((topic, kinds))
        return table




def pager(current: int, total: int) -> list[int | None]:
    """Page numbers to link: the first, the last and two either side of the current one; None marks a gap."""
    shown = sorted({1, total, *range(max(1, current - 2), min(total, current + 2) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and number - out[-1] > 1:
            out.append(None)
        out.append(number)
    return out


def changelog_of(changelog: str, deck: str) -> str:
    """The ``## deck`` section of CHANGELOG.md, without its heading."""
    sections = _DECK_HEADING.split(changelog)
    for name, body in zip(sections[1::2], sections[2::2]):
        if name.strip() == deck:
            return body.strip()
    return ""


class Rendering:
    """Each card's article HTML, search row and math flag, made once per card.

    The pages of a deck that changes little (``mlanki serve``) are laid out again from these. Cards are
    looked up by identity: a kept card is the same object from one layout to the next, and hashing every
    card's whole HTML on each layout would cost more than the lookup saves.
    """

    def __init__(self) -> None:
        self._made: dict[int, tuple[Card, tuple[Markup, str, bool]]] = {}

    def of(self, card: Card) -> tuple[Markup, str, bool]:
        kept = self._made.get(id(card))
        if kept is not None and kept[0] is card:
            return kept[1]
        article = _env().get_template("card.html.j2").render(card=card, source_link=source_link)
        row = json.dumps([f"c{card.id}", card.label, card.text], ensure_ascii=False, separators=(",", ":"))
        made = (Markup(article), row[1:-1], card.has_math)
        self._made[id(card)] = (card, made)
        return made

    def articles(self, cards) -> Markup:
        """The articles of ``cards``, one after the other (joined here: a template loop costs more per card)."""
        return Markup("".join(self.of(card)[0] for card in cards))

    def keep_only(self, cards) -> None:
        """Forget the cards no longer shown."""
        kept = {id(card) for card in cards}
        self._made = {key: value for key, value in self._made.items() if key in kept}


def write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def write_deck(folder: Path, deck: DeckPages, math: bool, rendering: Rendering | None = None,
               write: Callable[[Path, str], None] = write_text) -> list[Path]:
    """The deck's pages (and search index) in ``folder``; returns the files it consists of."""
    rendering = rendering or Rendering()
    template = _env().get_template("deck.html.j2")
    css = "\n".join(deck.view.css[key] for key in sorted(deck.view.css))
    toc = Markup(_env().get_template("toc.html.j2").render(toc=deck.toc()))
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for number, page in deck.numbered():
        page_math = any(rendering.of(card)[2] for _topic, cards, _c in page for card in cards)
        html = template.render(deck=deck, page=page, number=number, pager=pager(number, deck.page_count), toc=toc,
                               css=css, math=page_math and math, tex_note=page_math and not math,
                               topic_id=deck.topic_id, articles=rendering.articles)
        files.append(folder / deck.href(number))
        write(files[-1], html)
    if deck.page_count > 1:
        files.append(folder / "search.js")
        write(files[-1], _search_index(deck, rendering))
    return files


def _search_index(deck: DeckPages, rendering: Rendering) -> str:
    """Every card's text for a search across pages; a script, since a file:// page may not fetch() JSON.

    The JSON of ``[[page, "c<id>", label, text], ...]``, joined from each card's row.
    """
    rows = ",".join(f"[{number},{rendering.of(card)[1]}]" for number, page in deck.numbered()
                    for _topic, cards, _continued in page for card in cards)
    return f"window.mlankiSearch = [{rows}];\n"


def write_index(site: Path, decks: list[DeckPages], changelog: str,
                write: Callable[[Path, str], None] = write_text) -> Path:
    import mistune
    import nh3

    markdown = mistune.create_markdown(escape=True)
    html = _env().get_template("index.html.j2").render(
        decks=decks, describe=lambda d: nh3.clean(_VERSION_LINE.sub("", d.view.description)),
        changelog=lambda d, level: markdown(_demote(d.changelog, level)) if d.changelog else "",
        has_changelog=bool(changelog.strip()))
    write(site / "index.html", html)
    return site / "index.html"


_HREF = re.compile(r"""<a\b[^>]*\bhref=["'](https?://[^"']+)["']""", re.I)


def source_link(source: str) -> str | None:
    """The web address a card's Source field links to (``source_url`` set), or None for a plain path."""
    import html

    if source.startswith(("https://", "http://")):
        return source
    match = _HREF.search(source)
    return html.unescape(match[1]) if match else None


def _demote(markdown: str, level: int) -> str:
    """Changelog ``### version`` headings become ``level`` headings, under the page's "Changelog" heading."""
    return re.sub(r"^### ", "#" * level + " ", markdown, flags=re.M)


@lru_cache(maxsize=1)
def _env():
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("mlanki.site", "templates"), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
