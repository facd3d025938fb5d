"""Identity over time: which note each entry is, when it changed, and the deck's version.

Entries are matched to the record by ``matching``. A note's ``mod`` moves forward exactly when
its content changes, so Anki's default "update if newer" applies every edit and touches nothing
else. New notes get a GUID from the deck's key (its source path or explicit id, never its title)
and the question; their note id derives from the GUID, never from the clock, so two branches that
add the same question agree and a merged record has no colliding ids. Versions only move forward.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from mlanki.entries import Diagnostic
from mlanki.errors import MlankiError
from mlanki.mapping import RETIRED_TAG, NoteSpec, retired_fields
from mlanki.matching import match
from mlanki.notetypes import NoteType
from mlanki.record import ACTIVE, RETIRED, Record, RecordedDeck, RecordedNote, RecordedNoteType, Release
from mlanki.record_file import semver_key

FIRST_VERSION = "1.0.0"
NOTE_ID_STRIDE = 100  # card ids are note id + card ord, so note ids keep this gap
_NOTE_ID_BASE = 1_500_000_000_000  # note ids look like Anki's (ms since 1970: 2017..2026), so
_NOTE_ID_SPAN = 300_000_000_000    # a card's "added" date stays plausible in the browser
_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


@dataclass(frozen=True)
class PlannedNote:
    """A note of the next package: fields in note-type order, with its GUID, id and mod."""

    guid: str
    note_id: int
    mod: int
    kind: str
    fields: tuple[tuple[str, str], ...]
    deck: str
    tags: tuple[str, ...]
    retired: bool = False


@dataclass
class Plan:
    """What a build of one deck will write, and what changed since the last release.

    ``explanations`` reach the changelog (learners read it); ``notices`` are for the maintainer only.
    """

    deck: str
    version: str
    previous: str | None
    key: str = ""
    notes: list[PlannedNote] = field(default_factory=list)
    notetype_mods: dict[str, int] = field(default_factory=dict)
    notetype_ids: dict[str, int] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    foreign_models: dict[str, dict] = field(default_factory=dict)  # adopted notes' own note types, by kind

    def describe(self, limit: int = 5) -> str:
        """A few lines: the version step and the questions added, changed and retired."""
        if self.previous is None:
            return f"{self.deck}: first release {self.version} ({len(self.added)} notes)"
        if not self.has_changes:
            return f"{self.deck}: {self.previous}, no change"
        lines = [f"{self.deck}: {self.previous} -> {self.version} ({len(self.added)} added, "
                 f"{len(self.changed)} changed, {len(self.retired)} retired)"]
        lines += [f"  ! {text}" for text in self.explanations]
        for mark, questions in (("+", self.added), ("~", self.changed), (">", self.moved), ("-", self.retired)):
            lines += [f"  {mark} {q}" for q in questions[:limit]]
            if len(questions) > limit:
                lines.append(f"  {mark} ... and {len(questions) - limit} more")
        return "\n".join(lines)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.moved or self.retired or self.explanations
                    or self.previous is None)


def plan_deck(record: Record, deck: str, specs: list[NoteSpec], notetypes: dict[str, NoteType], now: int,
              version: str | None = None, allow_field_change: bool = False, *, key: str | None = None,
              path: str = "", source_field=None) -> Plan:
    """Match ``specs`` to ``record`` and update the record in place; returns the plan to write.

    ``deck`` is the deck's title, ``key`` what identifies it (default: the title); ``path`` its source
    relative to the record. ``source_field(note)`` gives the Source field from the note's recorded line
    and version (the line where it stood when it last changed, so a link to that release stays right).
    """
    key = key or deck
    previous = record.version_of(key)
    plan = Plan(deck, previous or FIRST_VERSION, previous, key=key)
    bump = _plan_notetypes(record, notetypes, now, allow_field_change, plan)
    known = record.decks.get(key)
    if known and previous and known.name != deck:
        plan.explanations.append(f"Deck renamed from '{known.name}' to '{deck}'. Anki keeps cards you already "
                                 f"have in the old deck; move them with Browse → Change Deck (or use mlanki sync).")
        bump = max(bump, 0)
    if record.legacy and previous:
        plan.explanations.append("Rebuilt by a newer mlanki: deck ids no longer depend on the deck's title. "
                                 "No card changed.")
        bump = max(bump, 0)
    recorded = record.notes_of(key)
    matches = match(recorded, specs, plan.diagnostics)
    if any(d.is_error for d in plan.diagnostics):
        return plan

    taken_guids = {n.guid for n in record.notes}
    taken_ids = {n.id for n in record.notes}
    touched: list[RecordedNote] = []
    kept: list[tuple[RecordedNote, NoteSpec]] = []
    previous_guid = ""
    for position, spec in enumerate(specs):
        note = matches.get(position)
        changed_now = True
        if note is None:
            guid = _fresh_guid(key, spec, taken_guids)
            note = RecordedNote(guid=guid, id=note_id_for(guid, taken_ids), deck=key, kind=spec.kind, role=spec.role,
                                key=spec.key, question=spec.entry.question_text, content="", answer=spec.answer_hash,
                                version="", mod=now, topic=spec.entry.topic)
            record.notes.append(note)
            _add_label(plan.added, spec)
            touched.append(note)
        elif note.content != spec.content_hash or note.status != ACTIVE:
            moved = note.topic != spec.entry.topic and note.answer == spec.answer_hash and note.status == ACTIVE
            _add_label(plan.moved if moved else plan.changed, spec, f" (to {spec.entry.topic})" if moved else "")
            note.mod = max(now, note.mod + 1)
            note.answer = spec.answer_hash  # the content hash covers the answer: unchanged content, same answer
            touched.append(note)
        else:
            changed_now = False
        if changed_now or not note.line:
            note.line = spec.entry.location.line
        note.content, note.status = spec.content_hash, ACTIVE
        note.key, note.question, note.topic, note.after = spec.key, spec.entry.question_text, spec.entry.topic, previous_guid
        note.explicit_id = spec.entry.explicit_id or note.explicit_id
        previous_guid = note.guid
        kept.append((note, spec))

    matched_guids = {n.guid for n in matches.values()}
    retired: list[RecordedNote] = []
    for note in recorded:
        if note.guid in matched_guids:
            continue
        if note.status == ACTIVE:
            note.status = RETIRED
            note.mod = max(now, note.mod + 1)
            plan.retired.append(note.question)
            touched.append(note)
        retired.append(note)

    if plan.added or plan.retired:
        bump = max(bump, 1)
    elif plan.changed or plan.moved:
        bump = max(bump, 0)
    plan.version = next_version(previous, bump, version, _released(record, key), plan.has_changes)
    for note in touched:
        note.version = plan.version
        if note.status != ACTIVE:
            note.content = _retired_content(note)
    for note, spec in kept:
        fields = spec.fields if source_field is None else tuple(
            (name, source_field(note) if name == "Source" else value) for name, value in spec.fields)
        kind = spec.kind
        if note.kind.startswith("foreign-") and note.kind in record.notetypes:
            kind, fields = note.kind, _foreign_fields(fields, record.notetypes[note.kind].fields)
            plan.foreign_models[kind] = record.notetypes[note.kind].raw
        plan.notes.append(PlannedNote(note.guid, note.id, note.mod, kind, fields, spec.deck, spec.tags))
    for note in retired:
        if note.kind.startswith("foreign-"):
            continue  # an adopted note no entry continues: left as the other tool made it
        plan.notes.append(PlannedNote(note.guid, note.id, note.mod, note.kind, retired_fields(
            note.kind, note.question, _retired_status(note)), deck, (RETIRED_TAG,), retired=True))
    record.decks[key] = RecordedDeck(deck, path, len(record.notes_of(key)))
    if plan.has_changes or (version and version != previous):
        record.releases.setdefault(key, []).append(Release(
            plan.version, _date(now), sorted(plan.added), sorted(plan.changed), sorted(plan.retired),
            plan.explanations, name=deck, moved=sorted(plan.moved)))
    return plan


def _foreign_fields(fields, names: list[str]) -> tuple[tuple[str, str], ...]:
    """An entry's content in an adopted note type's fields: the front in the first, the back in the second."""
    values = dict(fields)
    if "Text" in values:  # a cloze entry
        front, back = values["Text"], values.get("Extra", "")
    else:
        front = values.get("Question", "") + ("\n" + values["Options"] if values.get("Options") else "")
        back = "\n".join(v for v in (values.get("Answer", ""), values.get("Explanation", "")) if v)
    return tuple((name, (front, back)[i] if i < 2 else "") for i, name in enumerate(names))


# -- note types ------------------------------------------------------------------------------------
def _plan_notetypes(record: Record, notetypes: dict[str, NoteType], now: int, allow_field_change: bool,
                    plan: Plan) -> int:
    """Record each note type's id and mod; returns the version bump it needs (2 major, 0 patch, -1 none)."""
    bump = -1
    for kind, notetype in sorted(notetypes.items()):
        known = record.notetypes.get(kind)
        if known is None:
            record.notetypes[kind] = RecordedNoteType(notetype.id, notetype.name, list(notetype.fields),
                                                      notetype.look_hash, now)
        elif list(notetype.fields) != known.fields:
            if not allow_field_change:
                raise MlankiError(
                    f"the fields of note type '{notetype.name}' changed from {known.fields} to "
                    f"{list(notetype.fields)}. Anki would make a copy of the note type and drop incoming edits; "
                    "pass --allow-field-change to publish it as a new note type (a major version)")
            new_id = notetype.with_new_fields(notetype.fields).id
            plan.explanations.append(
                f"Note type '{notetype.name}' has new fields {list(notetype.fields)} (was {known.fields}); it is a "
                f"new note type (id {new_id}). Existing cards keep the old note type.")
            record.notetypes[kind] = RecordedNoteType(new_id, notetype.name, list(notetype.fields),
                                                      notetype.look_hash, max(now, known.mod + 1))
            bump = 2
        elif notetype.look_hash != known.look:
            known.look, known.mod, known.name = notetype.look_hash, max(now, known.mod + 1), notetype.name
            plan.explanations.append(f"Card layout of '{notetype.name}' updated.")
            bump = max(bump, 0)
        plan.notetype_mods[kind] = record.notetypes[kind].mod
        plan.notetype_ids[kind] = record.notetypes[kind].id
    return bump


# -- ids ----------------------------------------------------------------------------------------------
def _fresh_guid(deck_key: str, spec: NoteSpec, taken: set[str]) -> str:
    seed = ("id:" + spec.entry.explicit_id) if spec.entry.explicit_id else spec.key
    guid, n = guid_for(deck_key, spec.role, seed), 1
    while guid in taken:  # each n gives another hash: this ends as soon as one is free
        n += 1
        guid = guid_for(deck_key, spec.role, seed, n)
    taken.add(guid)
    return guid


def note_id_for(guid: str, taken: set[int]) -> int:
    """A note id derived from the GUID (the same on every branch), the next free one on a collision."""
    digest = int.from_bytes(hashlib.sha256(("note-id\x1f" + guid).encode("utf-8")).digest()[:8], "big")
    note_id = _NOTE_ID_BASE + (digest % (_NOTE_ID_SPAN // NOTE_ID_STRIDE)) * NOTE_ID_STRIDE
    while note_id in taken:
        note_id += NOTE_ID_STRIDE
    taken.add(note_id)
    return note_id


_BASE91 = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
           "!#$%&()*+,-./:;<=>?@[]^_`{|}~")


def guid_for(*values) -> str:
    """Anki-style GUID from values: genanki's scheme (first 8 bytes of SHA-256, base91), without
    importing genanki in commands that never write a package. Text that is not valid UTF-8 (a lone
    surrogate) is hashed with its code points escaped rather than failing."""
    text = "__".join(str(v) for v in values).encode("utf-8", "backslashreplace")
    number = int.from_bytes(hashlib.sha256(text).digest()[:8], "big")
    digits = []
    while number > 0:
        number, digit = divmod(number, len(_BASE91))
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


# -- versions -------------------------------------------------------------------------------------------
def _released(record: Record, key: str) -> list[str]:
    return [r.version for r in record.releases.get(key, [])]


def next_version(previous: str | None, bump: int, forced: str | None, released: list[str] = (),
                 changed: bool = True) -> str:
    """The next version: semver by the kind of change, or ``forced``, which must move forward."""
    if forced:
        if not _SEMVER.match(forced):
            raise MlankiError(f"--release {forced!r} is not a version like 1.2.3")
        newest = max(released, key=semver_key, default=None)
        if newest and (semver_key(forced) < semver_key(newest) or (forced == newest and changed)):
            listed = ", ".join(sorted(set(released), key=semver_key))
            raise MlankiError(f"--release {forced} is not newer than the released versions ({listed}); versions only "
                              f"move forward: give a version after {newest}, or leave --release out")
        return forced
    if previous is None:
        return FIRST_VERSION
    if bump < 0:
        return previous
    major, minor, patch = (int(x) for x in _SEMVER.match(previous).groups())
    if bump == 2:
        return f"{major + 1}.0.0"
    if bump == 1:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


# -- retired notes --------------------------------------------------------------------------------------
def _retired_status(note: RecordedNote) -> str:
    return (f"Retired in version {note.version}: this question was removed from the deck. Anki keeps it until you "
            "act: suspend or delete it (Browse, search tag:mlanki::retired).")


def _retired_content(note: RecordedNote) -> str:
    return "retired:" + note.version


def _add_label(labels: list[str], spec: NoteSpec, suffix: str = "") -> None:
    """The changelog names entries, not notes: an entry's definition cloze follows its basic note."""
    label = spec.entry.question_text + suffix
    if not labels or labels[-1] != label:
        labels.append(label)


def _date(now: int) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y-%m-%d")
