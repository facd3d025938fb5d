"""A site kept in step with its packages from one build to the next, for ``mlanki serve``: a save costs what it changes.

    new package -> notes changed since the last one (by GUID and content) -> sync's plan applied to a kept
    collection -> only those notes' cards rendered again -> pages laid out from kept card HTML -> only the
    files whose bytes changed written, each in one step

It writes what ``build_site`` writes for the same packages (the tests compare the two file by file).
The kept collection is a private one per deck; the plan and its application are ``mlanki sync``'s
(``plan_sync``, ``apply_plan``), so the collection holds what a fresh import would hold. The order
of the cards and the count of retired ones come from the package itself, as a fresh import keeps them.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from mlanki.errors import MlankiError
from mlanki.settings import Settings
from mlanki.site.build import (SITE_FOLDER, SiteDeck, SiteResult, copy_downloads, deck_pages, read_changelog,
                               require_renderer, static_files)
from mlanki.site.packages import Published, find_published

_CHUNK = 500  # GUIDs per query


@dataclass
class _DeckState:
    """One deck between builds: its collection, its notes as last applied, its shown notes' rendered cards."""

    folder: Path
    col: object
    notes: dict = field(default_factory=dict)      # GUID -> PackagedNote of the last package
    keys: dict = field(default_factory=dict)       # GUID -> what its cards' HTML depends on (``_key``)
    cards: dict = field(default_factory=dict)      # GUID -> [Rendered] of a note that is shown
    rendering: object = None                       # pages.Rendering: each card's article and search row


class LiveSite:
    """``OUTPUT/site/`` updated in place after each build; ``timings`` says where the last update spent its time."""

    def __init__(self, folder: Path) -> None:
        require_renderer()
        self.folder = Path(folder)
        self.decks: dict[str, _DeckState] = {}
        self.written: dict[Path, object] = {}     # what each file of the site holds (a text's hash, a copy's stat)
        self.timings: dict[str, float] = {}

    def update(self, settings: Settings) -> SiteResult:
        """Bring ``OUTPUT/site/`` to what ``build_site`` would write now; raises MlankiError."""
        from mlanki.site import pages
        from mlanki.site.mathjax import FOLDER, copy_mathjax, find_mathjax

        published = find_published(settings.output)
        if not published:
            raise MlankiError(f"{settings.output}: no .apkg packages to publish")
        self.timings = dict.fromkeys(("collection", "render", "pages"), 0.0)
        site = settings.output / SITE_FOLDER
        result = SiteResult(site, math=find_mathjax() is not None)
        keep: set[Path] = set()
        for name, data in static_files():
            keep.add(self._write(site / "static" / name, data))
        changelog = read_changelog(settings.output)
        decks = [self._deck(deck, site, result.math, changelog, keep) for deck in published]
        for slug in set(self.decks) - {deck.slug for deck in published}:
            self._forget(slug)
        started = time.perf_counter()
        mathjax = site / "static" / FOLDER
        if result.math and any(self.decks[d.slug].rendering.of(card)[2] for d in decks for card in d.view.cards):
            if not mathjax.is_dir():
                copy_mathjax(site / "static")
            keep |= {path for path in mathjax.rglob("*") if path.is_file()}
        keep.add(pages.write_index(site, decks, changelog, self._write))
        _remove_all_but(site, keep)
        self.timings["pages"] += time.perf_counter() - started
        result.decks = [SiteDeck(d.name, d.slug, d.version, d.card_count, d.page_count) for d in decks]
        return result

    def _deck(self, published: Published, site: Path, math: bool, changelog: str, keep: set[Path]):
        from mlanki.site import pages
        from mlanki.site.cards import deck_view

        started = time.perf_counter()
        state = self.decks.get(published.slug) or self._open(published.slug)
        contents = _contents(published.latest)
        shown_cards = self._apply(state, contents)
        applied = time.perf_counter()
        self._render(state, shown_cards)
        rendered = time.perf_counter()
        shown = {n.guid: n for n in contents.notes if not n.retired}
        retired = sum(len(n.cards) for n in contents.notes if n.retired)
        view = deck_view(state.col, _in_study_order(shown, state.cards), retired)
        folder = site / published.slug
        media_dir = Path(state.col.media.dir())
        keep |= {self._copy(media_dir / name, folder / "media" / name) for name in view.media}
        downloads = copy_downloads(published, site / "downloads", lambda origin, to: keep.add(self._copy(origin, to)))
        deck = deck_pages(published, view, downloads, changelog)
        keep |= set(pages.write_deck(folder, deck, math, state.rendering, self._write))
        state.rendering.keep_only(view.cards)
        self.timings["collection"] += applied - started
        self.timings["render"] += rendered - applied
        self.timings["pages"] += time.perf_counter() - rendered
        return deck

    def _apply(self, state: _DeckState, contents) -> set[str]:
        """Make the collection hold the package's notes; the GUIDs of shown notes whose cards must be rendered."""
        from mlanki.site.cards import import_package

        col = state.col
        wanted = {n.guid: n for n in contents.notes}
        keys = {n.guid: _key(n) for n in contents.notes}
        changed = tuple(n for n in contents.notes if state.keys.get(n.guid) != keys[n.guid])
        restyled: set[str] = set()
        if not col.db.scalar("select count() from notes"):  # empty: the package imported whole, as build_site does
            import_package(col, contents.path)
        else:
            gone = [nid for nid, guid in col.db.all("select id, guid from notes") if guid not in wanted]
            if gone:
                col.remove_notes(gone)
            restyled = {nt.name for nt in _sync(col, contents, changed).notetypes}
        # A cloze whose numbers changed: Anki made cards with ids of its own, or kept cards the package has
        # not. A fresh import of the note gives it the package's cards and ids.
        ords: dict[str, set[int]] = {}
        for guid, _cid, ord_, _nid in _cards_of(col, [n.guid for n in changed]):
            ords.setdefault(guid, set()).add(ord_)
        wrong = [n for n in changed if not n.retired and (ords.get(n.guid) != _ords(n) or (
            n.guid in state.notes and _ords(state.notes[n.guid]) != _ords(n)))]
        if wrong:
            col.remove_notes(sorted({nid for _guid, _cid, _ord, nid in _cards_of(col, [n.guid for n in wrong])}))
            _sync(col, contents, tuple(wrong))
        for name, description in contents.descriptions.items():
            deck = col.decks.by_name(name)
            if deck and deck.get("desc", "") != description:
                deck["desc"] = description
                col.decks.save(deck)
        state.notes, state.keys = wanted, keys
        state.cards = {guid: cards for guid, cards in state.cards.items()
                       if guid in wanted and not wanted[guid].retired}
        return {n.guid for n in changed if not n.retired} | \
            {guid for guid in state.cards if wanted[guid].notetype in restyled}

    def _render(self, state: _DeckState, guids: set[str]) -> None:
        from mlanki.site.cards import deck_names, media_names, render_card

        if not guids:
            return
        col = state.col
        decks, media = deck_names(col), media_names(col)
        cards: dict[str, list[int]] = {}
        for guid, cid, _ord, _nid in _cards_of(col, sorted(guids)):
            cards.setdefault(guid, []).append(cid)
        for guid in guids:
            rendered = []
            for cid in cards.get(guid, []):
                card = col.get_card(cid)
                rendered.append(render_card(card, card.note(), decks, media))
            state.cards[guid] = rendered

    def _open(self, slug: str) -> _DeckState:
        from anki.collection import Collection

        from mlanki.site.pages import Rendering

        folder = self.folder / slug
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        state = _DeckState(folder, Collection(os.fspath(folder / "collection.anki2")), rendering=Rendering())
        self.decks[slug] = state
        return state

    def _forget(self, slug: str) -> None:
        state = self.decks.pop(slug)
        state.col.close()
        shutil.rmtree(state.folder, ignore_errors=True)

    def close(self) -> None:
        """Close every collection and forget everything: the next update starts from nothing."""
        for slug in list(self.decks):
            self._forget(slug)
        self.written = {}

    def _write(self, path: Path, data: str | bytes) -> Path:
        """Write ``data`` to ``path`` unless it holds it already; a reader sees the old file or the new one."""
        mark = hash(data)
        if self.written.get(path) != mark or not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.partial")
            partial.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
            os.replace(partial, path)
            self.written[path] = mark
        return path

    def _copy(self, origin: Path, path: Path) -> Path:
        stat = origin.stat()
        mark = (os.fspath(origin), stat.st_size, stat.st_mtime_ns)
        if self.written.get(path) != mark or not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.partial")
            shutil.copyfile(origin, partial)
            os.replace(partial, path)
            self.written[path] = mark
        return path


def _contents(package: Path):
    """The package's notes (sync's reading), with its top deck's name: the deck every note's cards are under."""
    from mlanki.sync.content import read_package

    contents = read_package(package, "")
    top = contents.notes[0].deck.split("::")[0] if contents.notes else "Default"
    return replace(contents, deck=top)


def _sync(col, contents, notes: tuple):
    """sync's plan for ``notes`` of the package, applied to ``col``."""
    from mlanki.sync.collection import apply_plan, read_target
    from mlanki.sync.plan import plan_sync

    subset = replace(contents, notes=notes)
    plan = plan_sync(subset, read_target(col, subset))
    apply_plan(col, plan)
    return plan


def _key(note) -> tuple:
    """What a note's rendered cards depend on (its place in the study order aside)."""
    return note.notetype, note.fields, note.tags, note.deck, note.retired, tuple(o for _id, o, _due in note.cards)


def _ords(note) -> set[int]:
    return {o for _id, o, _due in note.cards}


def _cards_of(col, guids: list[str]) -> list[tuple[str, int, int, int]]:
    """(GUID, card id, ordinal, note id) of the notes with ``guids``, each note's cards in ordinal order."""
    rows = []
    for start in range(0, len(guids), _CHUNK):
        chunk = guids[start:start + _CHUNK]
        rows += col.db.all("select n.guid, c.id, c.ord, n.id from cards c join notes n on n.id = c.nid "
                           f"where n.guid in ({','.join('?' * len(chunk))}) order by c.nid, c.ord", *chunk)
    return rows


def _in_study_order(shown: dict, cards: dict) -> list:
    """The shown notes' cards in the order a fresh import studies them: the package's due, then ordinal, then id."""
    due = {(guid, o): d for guid, note in shown.items() for _id, o, d in note.cards}
    pairs = [(due[(guid, r.card.ordinal - 1)], r.card.ordinal, r.card.id, r) for guid in shown for r in cards[guid]]
    return [r for *_key, r in sorted(pairs, key=lambda p: p[:3])]


def _remove_all_but(site: Path, keep: set[Path]) -> None:
    """Delete the files of ``site`` not in ``keep`` (pages of removed decks, unused media) and empty folders."""
    for folder, dirs, files in os.walk(site, topdown=False):
        for name in files:
            path = Path(folder, name)
            if path not in keep:
                path.unlink()
        if folder != os.fspath(site) and not os.listdir(folder):
            os.rmdir(folder)
