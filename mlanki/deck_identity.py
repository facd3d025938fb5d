"""Which recorded deck a source is, before its notes are matched.

A deck is keyed by its source file's path inside the record's folder, or by an explicit
``deck_id`` in its front matter; never by its title, so a renamed title keeps every card. The
record may still not know the deck under that key: it was written by mlanki 0.1 (decks keyed by
title), the file moved, the record was lost or lacks lines, or the deck comes from another tool.
Each case is resolved here, in this order, and said in a notice: nothing is silently restarted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from mlanki import released
from mlanki.mapping import NoteSpec, answer_hash, content_hash, normalise_question
from mlanki.record import ACTIVE, RETIRED, Record, RecordedDeck, RecordedNote, RecordedNoteType, Release
from mlanki.record_file import semver_key
from mlanki.sources import display_path

_MOVED_MATCH = 0.5  # share of a deck's entries a recorded deck must hold to be the same deck moved


@dataclass(frozen=True)
class DeckSource:
    """Where a deck comes from: its key, its path relative to the record, its title and package names."""

    key: str
    path: str
    name: str
    slug: str


def resolve(record: Record, deck: DeckSource, specs: list[NoteSpec], record_dir: Path, output: Path,
            building: set[str], previous: released.ReleasedPackage | None = None) -> list[str]:
    """Bring the record's knowledge of ``deck`` up to date; returns what was done, for the maintainer."""
    from mlanki.package import deck_id

    notices: list[str] = []
    known = record.decks.get(deck.key)
    if record.legacy and not record.notes_of(deck.key) and (record.notes_of(deck.name) or deck.name in record.releases):
        record.rekey(deck.name, deck.key)  # format 1 keyed decks by title: same title, same deck
        known = record.decks.get(deck.key)
    if not record.notes_of(deck.key) and deck.key not in record.releases:
        moved = _moved_from(record, deck, specs, record_dir, building)
        if moved is not None:
            old, share = moved
            where = record.decks[old].path or f"the deck titled '{record.decks[old].name}'"
            record.rekey(old, deck.key)
            notices.append(f"{deck.path}: recognised as {where}, moved or renamed ({share:.0%} of its entries "
                           "match the record): cards keep their identity")
            known = record.decks.get(deck.key)

    if previous is not None:
        count = adopt(record, deck, previous)
        what = "an mlanki package" if previous.by_mlanki else "a package made by another tool"
        notices.append(f"{deck.path}: took {count} note identities from {display_path(previous.path)} ({what}); entries are matched "
                       "to them by question, so learners keep their cards")
        return notices
    names = {deck.name} | ({known.name} if known else set())
    lost = bool(known) and len(record.notes_of(deck.key)) < known.notes
    behind = released.newer_in_output(output, {deck.slug} | {_slug(n) for n in names}, record.version_of(deck.key))
    if record.notes_of(deck.key) and not lost and behind is None:
        return notices
    package = released.find_released(output, deck_id(deck.key), names)
    if package is None:
        if not record.notes_of(deck.key):
            notices.append(f"{deck.path}: no record of this deck and no released package in {display_path(output)}: "
                           "starting a new "
                           "identity (commit the record file; keep released packages to recover from)")
        elif lost:
            notices.append(f"{deck.path}: the record lists {len(record.notes_of(deck.key))} notes of this deck, it had "
                           f"{known.notes}: lines were lost and no released package in {display_path(output)} "
                           "restores them")
        return notices
    why = "the record lacked notes" if record.notes_of(deck.key) and lost else (
        "the record is older than the released package" if record.notes_of(deck.key) else "there was no record")
    count = adopt(record, deck, package)
    notices.append(f"{deck.path}: {why}; recovered {count} note identities and version {package.version} from "
                   f"{display_path(package.path)}")
    return notices


def adopt(record: Record, deck: DeckSource, package: released.ReleasedPackage) -> int:
    """Take into the record every note of ``package`` it does not know; returns how many."""
    known = {n.guid: n for n in record.notes}
    taken_ids = {n.id for n in record.notes}
    models = dict(package.models)
    version = package.version or "1.0.0"
    count = 0
    for note in package.notes:
        if note.guid in known:
            known[note.guid].mod = max(known[note.guid].mod, note.mod)  # never older than what learners have
            continue
        recorded = _recorded(note, deck.key, version)
        if recorded.kind.startswith("foreign-") and recorded.kind not in record.notetypes:
            raw = json.loads(json.dumps(models.get(note.notetype_id, {}), sort_keys=True))  # as the record keeps it
            record.notetypes[recorded.kind] = RecordedNoteType(
                note.notetype_id, note.notetype, [name for name, _value in note.fields], "", int(raw.get("mod", 0)), raw)
        if recorded.id in taken_ids:
            from mlanki.identity import note_id_for

            recorded.id = note_id_for(recorded.guid, taken_ids)
        taken_ids.add(recorded.id)
        record.notes.append(recorded)
        count += 1
    history = record.releases.setdefault(deck.key, []) if package.by_mlanki else []
    if package.by_mlanki and version not in {r.version for r in history}:
        history.append(Release(version, "", notes=["Recovered from the released package; its changes are not listed."],
                               name=package.deck or deck.name))
        history.sort(key=lambda r: semver_key(r.version))
    record.decks.setdefault(deck.key, RecordedDeck(package.deck or deck.name, deck.path, 0))
    record.decks[deck.key].notes = len(record.notes_of(deck.key))
    return count


def _recorded(note: released.ReleasedNote, key: str, version: str) -> RecordedNote:
    ours = note.notetype in released.MLANKI_NOTETYPES
    kind = released.MLANKI_NOTETYPES[note.notetype] if ours else foreign_kind(note.is_cloze, note.notetype_id)
    role = "definition" if "mlanki::definition" in note.tags else "entry"
    question = note.question_text
    retired = "mlanki::retired" in note.tags
    values = note.values
    return RecordedNote(
        guid=note.guid, id=note.id, deck=key, kind=kind, role=role, key=normalise_question(question), question=question,
        content=("retired:" + version) if retired else (content_hash(kind, note.fields, note.tags) if ours else ""),
        answer=answer_hash(values) if ours else "", version=version, mod=note.mod,
        status=RETIRED if retired else ACTIVE, topic=values.get("Topic", "") if ours else "")


def foreign_kind(is_cloze: bool, notetype_id: int) -> str:
    """Notes adopted from another tool keep their note type: Anki updates a note in place only when
    its note type is unchanged (a note whose type changed is skipped as "conflicting")."""
    return f"foreign-{'cloze' if is_cloze else 'basic'}:{notetype_id}"


def base_kind(kind: str) -> str:
    """basic or cloze, for mlanki's kinds and adopted ones alike."""
    return kind.split(":", 1)[0].removeprefix("foreign-")


def _moved_from(record: Record, deck: DeckSource, specs: list[NoteSpec], record_dir: Path,
                building: set[str]) -> tuple[str, float] | None:
    """A recorded deck whose source is gone and whose notes hold most of this deck's entries."""
    if not specs:
        return None
    best = None
    for key, known in sorted(record.decks.items()):
        if key == deck.key or key in building or (known.path and (record_dir / known.path).exists()):
            continue
        notes = record.notes_of(key)
        keys = {(n.role, n.key) for n in notes}
        contents = {n.content for n in notes}
        share = sum(1 for s in specs if (s.role, s.key) in keys or s.content_hash in contents) / len(specs)
        if share >= _MOVED_MATCH and (best is None or share > best[1]):
            best = (key, share)
    return best


def _slug(name: str) -> str:
    from mlanki.build import slug

    return slug(name)
