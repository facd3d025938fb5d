"""Apply sync plans to a running Anki desktop through the AnkiConnect add-on (standard library only).

Only documented actions, batched with ``multi`` (each inner action carries its own version: without
it this AnkiConnect answers without the ``{result, error}`` wrapper). AnkiConnect never shows a
note's GUID, so the target's GUIDs come from ``exportPackage`` of the decks holding the package's
note types, and new notes arrive by ``importPackage`` of a package holding only them. Both hand a
file path to Anki, so Anki must run on this computer.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections import defaultdict
from pathlib import Path

from mlanki.errors import MlankiError
from mlanki.sync.content import PackageContents, write_subset
from mlanki.sync.plan import Plan, Target, TargetCard, TargetNote, TargetNoteType, plan_sync

DEFAULT_URL = "http://127.0.0.1:8765"
VERSION = 6
_BATCH = 200


class AnkiConnect:
    """A small client: one JSON request per call, errors as one clear line."""

    def __init__(self, url: str = DEFAULT_URL, timeout: float = 60) -> None:
        self.url, self.timeout = url, timeout

    def call(self, action: str, **params):
        return self._unwrap(action, self._post({"action": action, "version": VERSION, "params": params}))

    def multi(self, actions: list[tuple[str, dict]]) -> list:
        """Run (action, params) pairs in batches; the results in order; the first error stops."""
        results = []
        for start in range(0, len(actions), _BATCH):
            batch = actions[start:start + _BATCH]
            answers = self.call("multi", actions=[{"action": a, "version": VERSION, "params": p} for a, p in batch])
            results += [self._unwrap(action, answer) for (action, _p), answer in zip(batch, answers)]
        return results

    def check(self) -> None:
        """Fail with one line unless an AnkiConnect of a usable version answers with a collection open."""
        version = self.call("version")
        if not isinstance(version, int) or version < VERSION:
            raise MlankiError(f"{self.url}: AnkiConnect {version} is too old (version {VERSION} or later needed)")
        self.call("deckNames")

    def _post(self, payload: dict):
        request = urllib.request.Request(self.url, json.dumps(payload).encode("utf-8"),
                                         {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except (urllib.error.URLError, OSError) as problem:
            reason = getattr(problem, "reason", problem)
            raise MlankiError(f"cannot reach Anki at {self.url} ({reason}): start Anki with the AnkiConnect "
                              "add-on (code 2055492159) installed") from None
        try:
            return json.loads(body)
        except ValueError:
            raise MlankiError(f"{self.url} answered, but not as AnkiConnect: is the add-on installed?") from None

    def _unwrap(self, action: str, answer):
        if not isinstance(answer, dict) or set(answer) != {"result", "error"}:
            raise MlankiError(f"{self.url} answered {action!r} unlike AnkiConnect {VERSION}: {str(answer)[:100]}")
        if answer["error"] is not None:
            raise MlankiError(f"AnkiConnect {action}: {answer['error']}")
        return answer["result"]


def sync_anki_connect(url: str, decks: list[PackageContents], dry_run: bool = False,
                      delete_retired: bool = False) -> list[Plan]:
    """Plan every deck against the running Anki at ``url`` and, unless ``dry_run``, apply the plans."""
    anki = AnkiConnect(url)
    anki.check()
    plans = []
    with tempfile.TemporaryDirectory(prefix="mlanki-sync-") as folder:
        for contents in decks:
            plan = plan_sync(contents, read_target(anki, contents, Path(folder)), delete_retired)
            if not dry_run:
                apply_plan(anki, plan, Path(folder))
            plans.append(plan)
    return plans


def read_target(anki: AnkiConnect, contents: PackageContents, folder: Path) -> Target:
    names = sorted(contents.notetypes)
    present = set(anki.call("modelNames")) & set(names)
    looks = anki.multi([(a, {"modelName": n}) for n in sorted(present)
                        for a in ("modelFieldNames", "modelTemplates", "modelStyling")])
    notetypes = {}
    for position, name in enumerate(sorted(present)):
        fields, templates, styling = looks[3 * position:3 * position + 3]
        notetypes[name] = TargetNoteType(name, tuple(fields),
                                         tuple((t, v["Front"], v["Back"]) for t, v in templates.items()),
                                         styling["css"])
    notes = _exported_notes(anki, present, {n.guid for n in contents.notes}, folder) if present else []
    media = set()
    if contents.media:
        media = set(anki.call("getMediaFilesNames", pattern="mlanki-*")) & set(contents.media)
    return Target(tuple(notes), notetypes, frozenset(anki.call("deckNames")), frozenset(media))


def apply_plan(anki: AnkiConnect, plan: Plan, folder: Path) -> None:
    """The plan as AnkiConnect actions. No action renames a deck: cards move to the new title's
    decks and the old ones are removed once empty (a learner's own cards there keep them)."""
    if plan.add:
        subset = write_subset(plan.contents, {n.guid for n in plan.add}, folder / "new-notes.apkg")
        anki.call("importPackage", path=str(subset.resolve()))
    actions: list[tuple[str, dict]] = []
    for notetype in plan.notetypes:
        templates = {name: {"Front": front, "Back": back} for name, front, back in notetype.templates}
        actions += [("updateModelTemplates", {"model": {"name": notetype.name, "templates": templates}}),
                    ("updateModelStyling", {"model": {"name": notetype.name, "css": notetype.css}})]
    # Every editing action makes Anki refresh its main window (about 0.3 s with 10,000 cards): fields go
    # one note at a time (no action takes several), tags one action per tag for all notes at once.
    changes = plan.update + plan.retire
    actions += [("updateNoteFields", {"note": {"id": c.note_id, "fields": dict(c.fields)}}) for c in changes if c.fields]
    for verb, tags_of in (("removeTags", lambda c: c.removed_tags), ("addTags", lambda c: c.added_tags)):
        notes_by_tag = defaultdict(list)
        for change in changes:
            for tag in tags_of(change):
                notes_by_tag[tag].append(change.note_id)
        actions += [(verb, {"notes": notes, "tags": tag}) for tag, notes in sorted(notes_by_tag.items())]
    if plan.suspend:
        actions.append(("suspend", {"cards": list(plan.suspend)}))
    if plan.delete:
        actions.append(("deleteNotes", {"notes": [d.note_id for d in plan.delete]}))
    moves = defaultdict(list)
    for move in plan.move:
        moves[move.to_deck].append(move.card_id)
    actions += [("changeDeck", {"cards": ids, "deck": deck}) for deck, ids in moves.items()]
    actions += [("storeMediaFile", {"filename": name, "data": base64.b64encode(plan.contents.media_data(name)).decode()})
                for name in plan.media]
    if actions:
        anki.multi(actions)
    left = plan.left_decks
    if left:
        counts = anki.multi([("findCards", {"query": f'"deck:{_escape(name)}"'}) for name in left])
        empty = [name for name, found in zip(left, counts) if not found]
        existing = set(anki.call("deckNames"))
        if [name for name in empty if name in existing]:
            # Deepest first, so a parent is only removed with children that are empty as well.
            anki.call("deleteDecks", decks=[name for name in empty if name in existing], cardsToo=True)


def _exported_notes(anki: AnkiConnect, notetypes: set[str], wanted: set[str], folder: Path) -> list[TargetNote]:
    """The target's notes with ``wanted`` GUIDs, read from packages Anki exports of the top decks that
    hold cards of ``notetypes``. (notesInfo has no GUID and takes about 2 ms a note; an export of
    10,000 notes about 2 s.) Exports reset scheduling, so suspension comes from a search."""
    query = " OR ".join(f'"note:{_escape(n)}"' for n in sorted(notetypes))
    tops = sorted({name.split("::")[0] for name in anki.call("deckNames")})
    found = anki.multi([("findCards", {"query": f'"deck:{_escape(top)}" ({query})'}) for top in tops])
    notes: dict[int, tuple] = {}
    cards: dict[int, dict[int, tuple]] = defaultdict(dict)
    for position, top in enumerate(t for t, hits in zip(tops, found) if hits):
        path = folder / f"export-{position}.apkg"
        if anki.call("exportPackage", deck=top, path=str(path.resolve()), includeSched=False):
            _read_export(path, folder, wanted, notes, cards)
    suspended = set(anki.call("findCards", query=f"({query}) is:suspended")) if notes else set()
    return [TargetNote(nid, guid, name, fields, tags, tuple(
                TargetCard(cid, deck, cid in suspended) for cid, (_ord, deck) in sorted(
                    cards[nid].items(), key=lambda item: item[1][0])))
            for nid, (guid, name, fields, tags) in sorted(notes.items())]


def _read_export(path: Path, folder: Path, wanted: set[str], notes: dict, cards: dict) -> None:
    """Add the exported notes with ``wanted`` GUIDs (and their cards: id -> (ord, deck name))."""
    with zipfile.ZipFile(path) as archive:
        name = "collection.anki21" if "collection.anki21" in archive.namelist() else "collection.anki2"
        db_path = folder / "export.sqlite"
        db_path.write_bytes(archive.read(name))
    conn = sqlite3.connect(db_path)
    try:
        (models_json, decks_json), = conn.execute("SELECT models, decks FROM col").fetchall()
        models = {int(mid): (m["name"], [f["name"] for f in sorted(m["flds"], key=lambda f: f["ord"])])
                  for mid, m in json.loads(models_json).items()}
        decks = {int(did): d["name"] for did, d in json.loads(decks_json).items()}
        for nid, guid, mid, tags, flds in conn.execute("SELECT id, guid, mid, tags, flds FROM notes"):
            if guid in wanted:
                notetype, fields = models[mid]
                notes[nid] = (guid, notetype, tuple(zip(fields, flds.split("\x1f"))), tuple(tags.split()))
        for cid, nid, did, odid, ord_ in conn.execute("SELECT id, nid, did, odid, ord FROM cards"):
            if nid in notes:
                cards[nid][cid] = (ord_, decks.get(odid or did, decks.get(did)))
    finally:
        conn.close()
        db_path.unlink()


def _escape(text: str) -> str:
    """Text for inside a quoted Anki search term: its wildcards and quotes taken literally."""
    for char in ("\\", '"', "*", "_"):
        text = text.replace(char, "\\" + char)
    return text
