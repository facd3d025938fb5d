"""Identity over time: which note each entry is, when it changed, and the deck's version.

Entries are matched to the record: explicit id first, then the exact normalised question, then
an edited question when the evidence is strong (same answer, similar question, same neighbour).
Ambiguous cases are reported, never guessed. A note's ``mod`` moves forward exactly when its
content changes, so Anki's default "update if newer" applies every edit and touches nothing else.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from mlanki.entries import ERROR, Diagnostic
from mlanki.errors import MlankiError
from mlanki.mapping import RETIRED_TAG, NoteSpec, retired_fields
from mlanki.notetypes import NoteType
from mlanki.record import ACTIVE, RETIRED, Record, RecordedNote, RecordedNoteType, Release

FIRST_VERSION = "1.0.0"
NOTE_ID_STRIDE = 100  # card ids are note id + card ord, so note ids keep this gap
_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_STOPWORDS = {"what", "is", "are", "the", "a", "an", "of", "in", "to", "for", "and", "or", "how", "does", "do", "which", "why"}
_MAX_WORD_FANOUT = 50


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
    """What a build of one deck will write, and what changed since the last release."""

    deck: str
    version: str
    previous: str | None
    notes: list[PlannedNote] = field(default_factory=list)
    notetype_mods: dict[str, int] = field(default_factory=dict)
    notetype_ids: dict[str, int] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def describe(self, limit: int = 5) -> str:
        """A few lines: the version step and the questions added, changed and retired."""
        if self.previous is None:
            return f"{self.deck}: first release {self.version} ({len(self.added)} notes)"
        if not self.has_changes:
            return f"{self.deck}: {self.previous}, no change"
        lines = [f"{self.deck}: {self.previous} -> {self.version} ({len(self.added)} added, "
                 f"{len(self.changed)} changed, {len(self.retired)} retired)"]
        lines += [f"  ! {text}" for text in self.explanations]
        for mark, questions in (("+", self.added), ("~", self.changed), ("-", self.retired)):
            lines += [f"  {mark} {q}" for q in questions[:limit]]
            if len(questions) > limit:
                lines.append(f"  {mark} ... and {len(questions) - limit} more")
        return "\n".join(lines)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.retired or self.explanations or self.previous is None)


def plan_deck(record: Record, deck: str, specs: list[NoteSpec], notetypes: dict[str, NoteType], now: int,
              version: str | None = None, allow_field_change: bool = False) -> Plan:
    """Match ``specs`` to ``record`` and update the record in place; returns the plan to write."""
    previous = record.version_of(deck)
    plan = Plan(deck, previous or FIRST_VERSION, previous)
    bump = _plan_notetypes(record, notetypes, now, allow_field_change, plan)
    recorded = [n for n in record.notes if n.deck == deck]
    matches = _match(recorded, specs, plan)
    if any(d.is_error for d in plan.diagnostics):
        return plan

    next_id = max([now * 1000] + [n.id + NOTE_ID_STRIDE for n in record.notes])
    taken_guids = {n.guid for n in record.notes}
    touched: list[RecordedNote] = []
    previous_guid = ""
    for position, spec in enumerate(specs):
        note = matches.get(position)
        if note is None:
            guid = _fresh_guid(deck, spec, taken_guids)
            note = RecordedNote(guid=guid, id=next_id, deck=deck, kind=spec.kind, role=spec.role, key=spec.key,
                                question=spec.entry.question_text, content="", answer=spec.answer_hash,
                                version="", mod=now, topic=spec.entry.topic)
            next_id += NOTE_ID_STRIDE
            record.notes.append(note)
            plan.added.append(_label(spec))
            touched.append(note)
        elif note.content != spec.content_hash or note.status != ACTIVE:
            plan.changed.append(_label(spec))
            note.mod = max(now, note.mod + 1)
            note.answer = spec.answer_hash  # the content hash covers the answer: unchanged content, same answer
            touched.append(note)
        note.content, note.status = spec.content_hash, ACTIVE
        note.key, note.question, note.topic, note.after = spec.key, spec.entry.question_text, spec.entry.topic, previous_guid
        note.explicit_id = spec.entry.explicit_id or note.explicit_id
        previous_guid = note.guid
        plan.notes.append(PlannedNote(note.guid, note.id, note.mod, spec.kind, spec.fields, spec.deck, spec.tags))

    matched_guids = {n.guid for n in matches.values()}
    for note in recorded:
        if note.guid in matched_guids:
            continue
        if note.status == ACTIVE:
            note.status = RETIRED
            note.mod = max(now, note.mod + 1)
            plan.retired.append(note.question)
            touched.append(note)
        plan.notes.append(PlannedNote(note.guid, note.id, note.mod, note.kind, (), deck, (RETIRED_TAG,), retired=True))

    if plan.added or plan.retired:
        bump = max(bump, 1)
    elif plan.changed:
        bump = max(bump, 0)
    plan.version = _next_version(previous, bump, version)
    for note in touched:
        note.version = plan.version
        if note.status != ACTIVE:
            note.content = _retired_content(note)
    by_guid = {n.guid: n for n in recorded}
    plan.notes = [_with_retired_fields(p, by_guid[p.guid]) if p.retired else p for p in plan.notes]
    if plan.has_changes or version:
        record.releases.setdefault(deck, []).append(Release(
            plan.version, _date(now), sorted(plan.added), sorted(plan.changed), sorted(plan.retired), plan.explanations))
    return plan


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


# -- matching ---------------------------------------------------------------------------------------
def _match(recorded: list[RecordedNote], specs: list[NoteSpec], plan: Plan) -> dict[int, RecordedNote]:
    """Position in ``specs`` -> recorded note it continues. Ambiguities become error diagnostics."""
    by_explicit = {n.explicit_id: n for n in recorded if n.explicit_id}
    by_key = {(n.role, n.key): n for n in recorded}
    matches: dict[int, RecordedNote] = {}
    used: set[str] = set()
    for position, spec in enumerate(specs):
        note = by_explicit.get(spec.entry.explicit_id) if spec.entry.explicit_id else None
        if note is None or note.role != spec.role:
            note = by_key.get((spec.role, spec.key))
            if note is not None and note.explicit_id and note.explicit_id != spec.entry.explicit_id:
                note = None  # that note belongs to another explicit id
        if note is not None and note.guid not in used:
            matches[position] = note
            used.add(note.guid)
    unmatched = [p for p in range(len(specs)) if p not in matches]
    left = [n for n in recorded if n.guid not in used]
    if unmatched and left:
        _match_edited(specs, unmatched, left, matches, plan)
    return matches


def _match_edited(specs, unmatched, left, matches, plan) -> None:
    """Recognise edited questions: strong evidence or no match; two candidates is an error."""
    by_answer = defaultdict(list)
    by_word = defaultdict(list)
    for note in left:
        by_answer[(note.role, note.answer)].append(note)
        for word in _content_words(note.key):
            by_word[word].append(note)
    guid_of_position = {p: n.guid for p, n in matches.items()}
    claims: dict[str, list[int]] = defaultdict(list)
    chosen: dict[int, RecordedNote] = {}
    for position in unmatched:
        spec = specs[position]
        candidates = {n.guid: n for n in by_answer.get((spec.role, spec.answer_hash), [])}
        for word in _content_words(spec.key):
            bucket = by_word.get(word, [])
            if len(bucket) <= _MAX_WORD_FANOUT:
                candidates.update((n.guid, n) for n in bucket if n.role == spec.role)
        neighbour = guid_of_position.get(position - 1, "")
        scored = sorted(((_evidence(spec, n, neighbour), n.guid, n) for n in candidates.values()), reverse=True)
        strong = [(score, n) for score, _g, n in scored if score >= 1.0]
        if not strong:
            continue
        if len(strong) > 1 and strong[1][0] >= strong[0][0] - 0.15:
            others = "; ".join(f"'{n.question}'" for _s, n in strong[:3])
            plan.diagnostics.append(Diagnostic(spec.entry.location, ERROR,
                f"cannot tell which earlier question this edited question continues: {others}. Add "
                f"<!-- mlanki-id: NAME --> to it to decide", code="ambiguous-identity"))
            continue
        chosen[position] = strong[0][1]
        claims[strong[0][1].guid].append(position)
    for guid, positions in claims.items():
        if len(positions) > 1:
            where = ", ".join(str(specs[p].entry.location) for p in positions)
            for p in positions:
                plan.diagnostics.append(Diagnostic(specs[p].entry.location, ERROR,
                    f"several edited questions ({where}) could continue the earlier question "
                    f"'{chosen[p].question}'. Add <!-- mlanki-id: NAME --> to decide", code="ambiguous-identity"))
        else:
            matches[positions[0]] = chosen[positions[0]]


def _evidence(spec: NoteSpec, note: RecordedNote, neighbour: str) -> float:
    """1.0 or more is strong evidence that ``spec`` is ``note`` edited."""
    if note.kind != spec.kind or note.role != spec.role:
        return 0.0
    similarity = max(difflib.SequenceMatcher(None, spec.key, note.key).ratio(), _jaccard(spec.key, note.key))
    same_answer = note.answer == spec.answer_hash
    same_neighbour = bool(neighbour) and note.after == neighbour
    score = similarity / 0.85                      # a typo fix or small rewording alone
    if same_answer:
        score = max(score, 0.6 + similarity)       # a rewording that kept its answer
    if same_neighbour:
        score = max(score, similarity / 0.6)       # an edit in place, next to the same question
    return score


def _content_words(key: str) -> set[str]:
    return {w for w in re.findall(r"\w+", key) if w not in _STOPWORDS and len(w) > 2}


def _jaccard(a: str, b: str) -> float:
    wa, wb = _content_words(a), _content_words(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


# -- helpers ----------------------------------------------------------------------------------------
def _fresh_guid(deck: str, spec: NoteSpec, taken: set[str]) -> str:
    seed = ("id:" + spec.entry.explicit_id) if spec.entry.explicit_id else spec.key
    guid, n = guid_for(deck, spec.role, seed), 1
    while guid in taken:
        n += 1
        guid = guid_for(deck, spec.role, seed, n)
    taken.add(guid)
    return guid


_BASE91 = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
           "!#$%&()*+,-./:;<=>?@[]^_`{|}~")


def guid_for(*values) -> str:
    """Anki-style GUID from values: genanki's scheme (first 8 bytes of SHA-256, base91), without
    importing genanki in commands that never write a package."""
    number = int.from_bytes(hashlib.sha256("__".join(str(v) for v in values).encode("utf-8")).digest()[:8], "big")
    digits = []
    while number > 0:
        number, digit = divmod(number, len(_BASE91))
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


def _next_version(previous: str | None, bump: int, forced: str | None) -> str:
    if forced:
        if not _SEMVER.match(forced):
            raise MlankiError(f"--version {forced!r} is not a version like 1.2.3")
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


def _with_retired_fields(planned: PlannedNote, note: RecordedNote) -> PlannedNote:
    status = (f"Retired in version {note.version}: this question was removed from the deck. "
              "You can delete this card (search: tag:mlanki::retired).")
    return PlannedNote(planned.guid, planned.note_id, planned.mod, planned.kind,
                       retired_fields(planned.kind, note.question, status), planned.deck, planned.tags, True)


def _retired_content(note: RecordedNote) -> str:
    return "retired:" + note.version


def _label(spec: NoteSpec) -> str:
    prefix = "definition of: " if spec.role == "definition" else ""
    return prefix + spec.entry.question_text


def _date(now: int) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y-%m-%d")
