"""Reading the record file without trusting it: validation, old formats and git merge conflicts.

A damaged record must never be read as "no notes" (every card would get a new GUID), so each
problem is either an error at ``file:line`` that says what to do, or a repair that the build
announces. A record with git conflict markers is read as both sides: the union of their notes and
releases, conflicting claims settled the same way on every machine.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import MISSING, fields
from pathlib import Path

from mlanki.errors import MlankiError
from mlanki.record import ACTIVE, FORMAT, RETIRED, Record, RecordedDeck, RecordedNote, RecordedNoteType, Release

_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_CONFLICT_START, _CONFLICT_BASE, _CONFLICT_MID, _CONFLICT_END = "<<<<<<<", "|||||||", "=======", ">>>>>>>"
_RELEASE_LISTS = ("added", "changed", "retired", "notes", "moved")
_FORMAT_KEY, _NOTETYPES_KEY = '"format"', '"notetypes"'
_RESTORE = "restore it from version control (or delete the file: the next build recovers identity from the released packages)"

# field -> (allowed types, check, what is allowed)
_NOTE_SCHEMA = {
    "guid": (str, bool, "a non-empty text"),
    "id": (int, lambda v: v > 0, "a positive whole number"),
    "deck": (str, None, "a text"),
    "kind": (str, lambda v: v in ("basic", "cloze") or bool(re.fullmatch(r"foreign-(basic|cloze):\d+", v)),
             "'basic', 'cloze' or an adopted note type ('foreign-basic:ID')"),
    "role": (str, lambda v: v in ("entry", "definition"), "'entry' or 'definition'"),
    "key": (str, None, "a text"),
    "question": (str, None, "a text"),
    "content": (str, None, "a text"),
    "answer": (str, None, "a text"),
    "version": (str, lambda v: not v or bool(_SEMVER.match(v)), "a version like 1.2.3"),
    "mod": (int, lambda v: v >= 0, "a whole number of seconds"),
    "status": (str, lambda v: v in (ACTIVE, RETIRED), f"'{ACTIVE}' or '{RETIRED}'"),
    "topic": (str, None, "a text"),
    "after": (str, None, "a text"),
    "explicit_id": (str, None, "a text"),
    "line": (int, lambda v: v >= 0, "a line number"),
}
_CHECKS = tuple((name, kind, check, allowed) for name, (kind, check, allowed) in _NOTE_SCHEMA.items())
_KNOWN = frozenset(_NOTE_SCHEMA)
_ABSENT = object()
_REQUIRED = {f.name for f in fields(RecordedNote) if f.default is MISSING}  # no default: must be there


def semver_key(version: str) -> tuple[int, int, int]:
    m = _SEMVER.match(version)
    return tuple(int(x) for x in m.groups()) if m else (-1, -1, -1)


def read_record(path: Path) -> Record:
    """The record at ``path`` (empty when there is none); raises MlankiError naming the bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Record()
    except (OSError, UnicodeDecodeError) as problem:
        raise MlankiError(f"{path}:1: the record file cannot be read ({problem}); {_RESTORE}") from None
    sides = split_conflict(text)
    if sides is None:
        return _parse(text, path)
    ours, theirs = (_parse(side, path, conflicted=True) for side in sides)
    return merge(ours, theirs)


def _union_lines(text: str) -> dict | None:
    """The record as git's ``merge=union`` leaves it (both sides' lines, commas askew): its data read
    line by line, the layout ``Record.dumps`` writes; None when the text is not in that layout."""
    data: dict = {"notetypes": {}, "decks": {}, "releases": {}, "notes": []}
    section, deck = "", None
    try:
        for raw in text.splitlines():
            line = raw.strip().rstrip(",")
            if line.startswith('"format":'):
                data.setdefault("format", json.loads(line.split(":", 1)[1]))
            elif line.startswith('"notetypes":'):
                for kind, value in json.loads(line.split(":", 1)[1]).items():
                    old = data["notetypes"].get(kind)
                    data["notetypes"][kind] = value if old is None or value.get("mod", 0) > old.get("mod", 0) else old
            elif line in ('"decks": {', '"releases": {', '"notes": ['):
                section = line.split('"')[1]
            elif line in ("}", "]") and section:
                section = "" if line == "}" or section == "notes" else section
                deck = None if line == "]" else deck
            elif section == "decks" and line.startswith('"'):
                key, value = json.loads("{" + line + "}").popitem()
                data["decks"][key] = value
            elif section == "releases" and line.endswith("["):
                deck = json.loads(line[:-1].rstrip().rstrip(":"))
                data["releases"].setdefault(deck, [])
            elif section == "releases" and deck is not None and line.startswith("{"):
                data["releases"][deck].append(json.loads(line))
            elif section == "notes" and line.startswith("{"):
                data["notes"].append(json.loads(line))
    except ValueError:
        return None
    return data if "format" in data and data["notes"] else None


def split_conflict(text: str) -> tuple[str, str] | None:
    """Both sides of a file with git conflict markers (a diff3 base section is dropped); None if none."""
    if not re.search(r"^<{7}(?: |$)", text, re.MULTILINE):
        return None
    ours, theirs, state = [], [], "both"
    for line in text.splitlines(keepends=True):
        marker = line[:7]
        if marker == _CONFLICT_START:
            state = "ours"
        elif marker == _CONFLICT_BASE and state == "ours":
            state = "base"
        elif marker == _CONFLICT_MID and state in ("ours", "base") and line.rstrip("\r\n") == _CONFLICT_MID:
            state = "theirs"
        elif marker == _CONFLICT_END and state == "theirs":
            state = "both"
        elif state == "both":
            ours.append(line)
            theirs.append(line)
        elif state == "ours":
            ours.append(line)
        elif state == "theirs":
            theirs.append(line)
    return "".join(ours), "".join(theirs)


# -- one side -------------------------------------------------------------------------------------
def _parse(text: str, path: Path, conflicted: bool = False) -> Record:
    where = f"{path} (one side of a merge conflict)" if conflicted else str(path)
    repairs = []
    try:
        data = json.loads(text)
    except ValueError as problem:
        data = _union_lines(text)
        if data is None:
            line = getattr(problem, "lineno", 1)
            raise MlankiError(f"{path}:{line}: the record file is not valid JSON ({getattr(problem, 'msg', problem)}); "
                              f"{_RESTORE}") from None
        repairs.append((1, f"the record holds both sides of a merge (git's union merge): read its {len(data['notes'])} "
                           "note lines one by one; this build writes a clean record"))
    if not isinstance(data, dict):
        raise MlankiError(f"{where}:1: the record file should hold a JSON object; {_RESTORE}")
    if "format" not in data:
        raise MlankiError(f"{where}:1: the record file has no \"format\": it is not an mlanki record or was cut; "
                          f"{_RESTORE}")
    version = data["format"]
    if version not in (1, FORMAT) or isinstance(version, bool):
        newer = isinstance(version, int) and not isinstance(version, bool) and version > FORMAT
        raise MlankiError(f"{where}:{_line_of(text, _FORMAT_KEY)}: record format {version!r} is "
                          + ("from a newer mlanki; upgrade mlanki to build this project" if newer
                             else f"unknown (this mlanki reads formats 1 and {FORMAT}); {_RESTORE}"))
    record = Record(legacy=version == 1)
    record.notetypes = _notetypes(_section(data, "notetypes", dict, where, text), where, text)
    record.releases = _releases(_section(data, "releases", dict, where, text), where, text)
    record.decks = _decks(_section(data, "decks", dict, where, text), where, text)
    record.notes = _notes(_section(data, "notes", list, where, text), where, text, record)
    if repairs:
        settled = _settle_claims(record.notes)
        record.repairs += [(line, message + (f"; {settled}" if settled else "")) for line, message in repairs]
    if record.legacy:
        # format 1 keyed decks by their title: keep the titles as provisional keys (identity adopts them)
        for key in {n.deck for n in record.notes} | set(record.releases):
            record.decks.setdefault(key, RecordedDeck(name=key))
        for history in record.releases.values():  # and listed a definition cloze as a change of its own
            for release in history:
                for part in ("added", "changed", "retired"):
                    setattr(release, part, [q for q in getattr(release, part) if not q.startswith("definition of: ")])
                release.name = release.name or next(iter(k for k, h in record.releases.items() if h is history))
    return record


def _section(data: dict, name: str, kind: type, where: str, text: str):
    value = data.get(name, kind())
    if not isinstance(value, kind):
        raise MlankiError(f"{where}:{_line_of(text, json.dumps(name))}: \"{name}\" should be a JSON "
                          f"{'object' if kind is dict else 'list'}; {_RESTORE}")
    return value


def _notes(rows: list, where: str, text: str, record: Record) -> list[RecordedNote]:
    by_guid: dict[str, RecordedNote] = {}
    for number, row in enumerate(rows):
        note = _note(row, number, where, text)
        old = by_guid.get(note.guid)
        if old is not None:
            kept = _newer(old, note)
            record.repairs.append((_line_of(text, note.guid), f"note {note.guid} was in the record twice; kept the "
                                   f"{'identical copy' if vars(old) == vars(note) else 'newer one'}"))
            note = kept
        by_guid[note.guid] = note
    notes = list(by_guid.values())
    _settle_ids(notes, record, text)
    return notes


def _note(row, number: int, where: str, text: str) -> RecordedNote:
    if not isinstance(row, dict):
        raise MlankiError(f"{where}:{_nth_note_line(text, number)}: note {number + 1} should be a JSON object; {_RESTORE}")
    guid = row.get("guid")

    def line() -> int:  # only for a message: finding it costs a scan of the whole file
        return _line_of(text, json.dumps(guid)) if isinstance(guid, str) and guid else _nth_note_line(text, number)
    missing = sorted(_REQUIRED - row.keys())
    if missing:
        raise MlankiError(f"{where}:{line()}: note {guid or number + 1} lacks {', '.join(missing)}; {_RESTORE}")
    for name, kind, check, allowed in _CHECKS:
        value = row.get(name, _ABSENT)
        if value is not _ABSENT and (type(value) is not kind or (check is not None and not check(value))):
            raise MlankiError(f"{where}:{line()}: note {guid or number + 1}: \"{name}\" is {json.dumps(value)[:40]}, "
                              f"expected {allowed}; {_RESTORE}")
    if row.keys() <= _KNOWN:
        return RecordedNote(**row)
    return RecordedNote(**{k: v for k, v in row.items() if k in _KNOWN})  # a newer mlanki's keys are left out


def _newer(a: RecordedNote, b: RecordedNote) -> RecordedNote:
    """Of two records of one note, the one a later build wrote: higher mod, then version, then content."""
    return max(a, b, key=lambda n: (n.mod, semver_key(n.version), json.dumps(vars(n), sort_keys=True)))


def _settle_ids(notes: list[RecordedNote], record: Record, text: str) -> None:
    """Two notes with one Anki note id (a hand-merged record): the later GUID gets the next free id."""
    from mlanki.identity import NOTE_ID_STRIDE

    taken: dict[int, str] = {}
    for note in sorted(notes, key=lambda n: (n.id, n.guid)):
        if note.id in taken:
            new_id = note.id
            while new_id in taken:
                new_id += NOTE_ID_STRIDE
            record.repairs.append((_line_of(text, note.guid), f"note {note.guid} had the note id of {taken[note.id]}; "
                                   f"it now has {new_id}"))
            note.id = new_id
        taken[note.id] = note.guid


def _notetypes(rows: dict, where: str, text: str) -> dict[str, RecordedNoteType]:
    out = {}
    for kind, row in rows.items():
        try:
            out[kind] = RecordedNoteType(**{f.name: row[f.name] for f in fields(RecordedNoteType) if f.name != "raw"},
                                         raw=row.get("raw", {}) if isinstance(row.get("raw", {}), dict) else {})
            if not (type(out[kind].id) is int and type(out[kind].mod) is int
                    and isinstance(out[kind].fields, list) and all(isinstance(f, str) for f in out[kind].fields)):
                raise TypeError
        except (KeyError, TypeError):
            raise MlankiError(f"{where}:{_line_of(text, _NOTETYPES_KEY)}: note type {kind!r} should have id, name, "
                              f"fields, look and mod; {_RESTORE}") from None
    return out


def _releases(rows: dict, where: str, text: str) -> dict[str, list[Release]]:
    out = {}
    for deck, history in rows.items():
        if not isinstance(history, list):
            raise MlankiError(f"{where}:{_line_of(text, json.dumps(deck) + ': [')}: releases of {deck!r} should be a "
                              f"list; {_RESTORE}")
        releases = []
        for row in history:
            version = row.get("version") if isinstance(row, dict) else None
            if not isinstance(version, str) or not _SEMVER.match(version):
                raise MlankiError(f"{where}:{_line_of(text, json.dumps(deck) + ': [')}: a release of {deck!r} has version "
                                  f"{json.dumps(version)}, expected a version like 1.2.3; {_RESTORE}")
            known = {f.name for f in fields(Release)}
            values = {k: v for k, v in row.items() if k in known}
            if not all(isinstance(values.get(k, []), list) for k in _RELEASE_LISTS):
                raise MlankiError(f"{where}:{_line_of(text, json.dumps(version))}: release {version} of {deck!r} "
                                  f"should list questions; {_RESTORE}")
            releases.append(Release(**values))
        out[deck] = _merge_releases(releases)  # one entry per version, oldest first
    return out


def _decks(rows: dict, where: str, text: str) -> dict[str, RecordedDeck]:
    out = {}
    for key, row in rows.items():
        if not (isinstance(row, dict) and isinstance(row.get("name"), str)):
            raise MlankiError(f"{where}:{_line_of(text, json.dumps(key))}: deck {key!r} should have a name; {_RESTORE}")
        count = row.get("notes", 0)
        out[key] = RecordedDeck(row["name"], str(row.get("path", "")), count if isinstance(count, int) else 0)
    return out


# -- both sides of a conflict ------------------------------------------------------------------------
def merge(ours: Record, theirs: Record) -> Record:
    """The union of two records; the same result whichever side is "ours"."""
    merged = Record(legacy=ours.legacy or theirs.legacy)
    merged.repairs = ours.repairs + theirs.repairs
    by_guid: dict[str, RecordedNote] = {}
    for note in map(copy.copy, ours.notes + theirs.notes):
        by_guid[note.guid] = _newer(by_guid[note.guid], note) if note.guid in by_guid else note
    notes = sorted(by_guid.values(), key=lambda n: n.guid)
    settled = _settle_claims(notes)
    merged.notes = notes
    _settle_ids(merged.notes, merged, "")
    for kind in sorted(set(ours.notetypes) | set(theirs.notetypes)):
        candidates = [r.notetypes[kind] for r in (ours, theirs) if kind in r.notetypes]
        merged.notetypes[kind] = max(candidates, key=lambda t: (t.mod, json.dumps(vars(t), sort_keys=True)))
    for deck in sorted(set(ours.releases) | set(theirs.releases)):
        merged.releases[deck] = _merge_releases(ours.releases.get(deck, []) + theirs.releases.get(deck, []))
    for key in sorted(set(ours.decks) | set(theirs.decks)):
        candidates = [r.decks[key] for r in (ours, theirs) if key in r.decks]
        chosen = max(candidates, key=lambda d: json.dumps(vars(d), sort_keys=True))
        merged.decks[key] = RecordedDeck(chosen.name, chosen.path, sum(1 for n in merged.notes if n.deck == key))
    sides = len(ours.notes), len(theirs.notes)
    merged.repairs.append((1, f"the record had git conflict markers: read both sides ({sides[0]} and {sides[1]} notes) "
                              f"and kept their union ({len(merged.notes)} notes)"
                              + (f"; {settled}" if settled else "") + "; this build writes a clean record"))
    return merged


def _settle_claims(notes: list[RecordedNote]) -> str:
    """Two notes claiming one question or explicit id in one deck: the older note keeps it, the other
    is retired (it was only ever on one branch). Returns what was done, for the build to say."""
    owners: dict[tuple, RecordedNote] = {}
    lost = []
    for note in sorted(notes, key=lambda n: (n.id, n.guid)):
        if note.status != ACTIVE:
            continue
        claims = [(note.deck, note.role, "key", note.key)] + (
            [(note.deck, note.role, "id", note.explicit_id)] if note.explicit_id else [])
        if any(claim in owners for claim in claims):
            note.key, note.explicit_id = note.key + "\x00" + note.guid, ""
            lost.append(note.question)
            continue
        owners.update((claim, note) for claim in claims)
    if not lost:
        return ""
    return f"{len(lost)} question(s) claimed by two notes kept the older note: " + "; ".join(f"'{q}'" for q in lost[:3])


def _merge_releases(releases: list[Release]) -> list[Release]:
    by_version: dict[str, Release] = {}
    for release in releases:
        old = by_version.get(release.version)
        if old is None:
            by_version[release.version] = release
            continue
        lists = {part: sorted(set(getattr(old, part)) | set(getattr(release, part))) for part in _RELEASE_LISTS}
        by_version[release.version] = Release(release.version, min(old.date, release.date),
                                              name=max(old.name, release.name), **lists)
    return sorted(by_version.values(), key=lambda r: semver_key(r.version))


# -- where things are -----------------------------------------------------------------------------
def _line_of(text: str, needle: str) -> int:
    at = text.find(needle) if text and needle else -1
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _nth_note_line(text: str, number: int) -> int:
    start = text.find('"notes": [')
    return (text.count("\n", 0, start) + 2 + number) if start >= 0 else 1
