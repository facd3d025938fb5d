"""The sync plan: what a target must change so that its copy of a deck matches the built package.

Pure data, computed from two plain snapshots (the package's contents and the target's notes with
the package's GUIDs). A collection file and a running Anki (AnkiConnect) apply the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlanki.sync.content import RETIRED_TAG, PackageContents, PackagedNote, PackagedNoteType

KEPT_TAGS = frozenset({"marked", "leech"})  # Anki's own tags on a learner's card: sync never drops them
SHOWN = 5  # entries of each kind a dry run lists


@dataclass(frozen=True)
class TargetCard:
    id: int
    deck: str
    suspended: bool


@dataclass(frozen=True)
class TargetNote:
    """A note of the target whose GUID the package holds (added by sync, or imported by hand)."""

    id: int
    guid: str
    notetype: str
    fields: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    cards: tuple[TargetCard, ...]


@dataclass(frozen=True)
class TargetNoteType:
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]
    css: str


@dataclass(frozen=True)
class Target:
    """What a target holds of one deck, read before any change."""

    notes: tuple[TargetNote, ...]
    notetypes: dict[str, TargetNoteType]  # the package's note types, by name, where the target has them
    decks: frozenset[str]  # every deck name of the target
    media: frozenset[str]  # the package's media files the target already has


@dataclass(frozen=True)
class NoteUpdate:
    note_id: int
    fields: tuple[tuple[str, str], ...]  # the fields whose value changes
    tags: tuple[str, ...]  # every tag the note will have
    label: str
    added_tags: tuple[str, ...] = ()
    removed_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CardMove:
    card_id: int
    from_deck: str  # where the card is now (before any rename)
    to_deck: str
    label: str


@dataclass(frozen=True)
class DeletedNote:
    note_id: int
    label: str
    decks: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    deck: str
    contents: PackageContents
    add: tuple[PackagedNote, ...] = ()
    update: tuple[NoteUpdate, ...] = ()
    retire: tuple[NoteUpdate, ...] = ()  # fields and tags become the package's retired ones
    suspend: tuple[int, ...] = ()  # cards of retired notes
    delete: tuple[DeletedNote, ...] = ()
    move: tuple[CardMove, ...] = ()
    rename: tuple[tuple[str, str], ...] = ()  # (old top deck, new top deck)
    notetypes: tuple[PackagedNoteType, ...] = ()  # templates and CSS to update in place
    media: tuple[str, ...] = ()  # files to store
    skipped: tuple[str, ...] = field(default=())  # what sync will not do, and why

    @property
    def has_changes(self) -> bool:
        return bool(self.add or self.update or self.retire or self.suspend or self.delete or self.move
                    or self.rename or self.notetypes or self.media)

    def renamed(self, deck: str) -> str:
        """A current deck's name once the plan's renames are done."""
        for old, new in self.rename:
            if deck == old or deck.startswith(old + "::"):
                return new + deck[len(old):]
        return deck

    @property
    def moves_after_rename(self) -> tuple[CardMove, ...]:
        """The moves a rename does not already do."""
        return tuple(m for m in self.move if self.renamed(m.from_deck) != m.to_deck)

    @property
    def left_decks(self) -> tuple[str, ...]:
        """Decks of this deck (or its old title) that its cards leave, deepest first: sync removes
        those it leaves empty, and never a deck outside the deck's own tree."""
        tops = {self.deck} | {old for old, _new in self.rename}
        names = {m.from_deck for m in self.move} | {d for n in self.delete for d in n.decks} | \
            {old for old, _new in self.rename}
        parents = {"::".join(n.split("::")[:i]) for n in names for i in range(1, n.count("::") + 1)}
        own = {n for n in names | parents if n.split("::")[0] in tops} - {self.deck}
        return tuple(sorted(own, key=lambda n: (-n.count("::"), n)))

    def describe(self, detailed: bool = True) -> str:
        """Counts of each kind of change; with ``detailed``, the first few of each."""
        moves = self.moves_after_rename
        kinds = [("added", [n.label for n in self.add]), ("updated", [u.label for u in self.update]),
                 ("moved", _distinct(f"{m.label} ({self.renamed(m.from_deck)} -> {m.to_deck})" for m in moves)),
                 ("renamed", [f"{old} -> {new}" for old, new in self.rename]),
                 ("retired", [u.label for u in self.retire]), ("deleted", [d.label for d in self.delete])]
        head = ", ".join(f"{len(items)} {kind}" for kind, items in kinds)
        lines = [f"{self.deck}: {head}" + ("" if self.has_changes else " (nothing to change)")]
        if detailed:
            for kind, items in kinds:
                lines += [f"  {kind}: {item}" for item in items[:SHOWN]]
                if len(items) > SHOWN:
                    lines.append(f"  {kind}: ... and {len(items) - SHOWN} more")
            if self.notetypes:
                lines.append("  note types updated in place: " + ", ".join(nt.name for nt in self.notetypes))
            if self.media:
                lines.append(f"  media files to store: {len(self.media)}")
            if self.suspend and not self.retire:
                lines.append(f"  retired cards suspended again: {len(self.suspend)}")
        lines += [f"  skipped: {reason}" for reason in self.skipped]
        return "\n".join(lines)


def plan_sync(contents: PackageContents, target: Target, delete_retired: bool = False) -> Plan:
    """What ``target`` must change to hold exactly the deck in ``contents``."""
    wanted = {n.guid: n for n in contents.notes}
    present = {n.guid: n for n in target.notes}
    skipped: list[str] = []
    add = tuple(n for n in contents.notes if n.guid not in present and not n.retired)
    rename = _rename(contents, target)
    update, retire, suspend, delete, move = [], [], [], [], []
    for note in target.notes:
        package = wanted[note.guid]
        if note.notetype != package.notetype:
            skipped.append(f"'{package.label}' has note type '{note.notetype}' in the target, "
                           f"'{package.notetype}' in the package: left as it is")
            continue
        if package.retired and delete_retired:
            delete.append(DeletedNote(note.id, package.label, tuple(sorted({c.deck for c in note.cards}))))
            continue
        tags = _wanted_tags(package, note)
        current = dict(note.fields)
        fields = tuple((name, value) for name, value in package.fields if current.get(name, value) != value)
        added, removed = _tag_key(tags) - _tag_key(note.tags), _tag_key(note.tags) - _tag_key(tags)
        if fields or added or removed:
            change = NoteUpdate(note.id, fields, tags, package.label,
                                tuple(t for t in tags if t.casefold() in added),
                                tuple(t for t in note.tags if t.casefold() in removed))
            (retire if package.retired and RETIRED_TAG not in note.tags else update).append(change)
        if package.retired:
            suspend += [c.id for c in note.cards if not c.suspended]
        move += [CardMove(c.id, c.deck, package.deck, package.label) for c in note.cards
                 if c.deck != package.deck]
    notetypes = tuple(nt for name, nt in sorted(contents.notetypes.items())
                      if name in target.notetypes and _look_changed(nt, target.notetypes[name], skipped))
    media = tuple(m for m in contents.media if m not in target.media)
    return Plan(contents.deck, contents, add, tuple(update), tuple(retire), tuple(suspend), tuple(delete),
                tuple(move), rename, notetypes, media, tuple(skipped))


def _rename(contents: PackageContents, target: Target) -> tuple[tuple[str, str], ...]:
    """A renamed title: the target's cards sit where the package puts them, under one other top deck."""
    wanted = {n.guid: n for n in contents.notes}
    old_tops = set()
    for note in target.notes:
        package = wanted[note.guid]
        if package.retired:
            continue  # retired notes go to the top deck: their place says nothing about a rename
        suffix = package.deck[len(contents.deck):]
        old_tops |= {c.deck[:len(c.deck) - len(suffix)] for c in note.cards if c.deck.endswith(suffix)}
    old_tops.discard(contents.deck)
    old_tops = {top for top in old_tops if "::" not in top}
    if contents.deck in target.decks or len(old_tops) != 1 or old_tops == {"Default"}:
        return ()
    return ((old_tops.pop(), contents.deck),)


def _wanted_tags(package: PackagedNote, note: TargetNote) -> tuple[str, ...]:
    kept = [t for t in note.tags if t.casefold() in KEPT_TAGS]
    return tuple(package.tags) + tuple(kept)


def _tag_key(tags) -> set[str]:
    return {t.casefold() for t in tags}


def _look_changed(package: PackagedNoteType, target: TargetNoteType, skipped: list[str]) -> bool:
    if package.fields != target.fields or len(package.templates) != len(target.templates):
        skipped.append(f"note type '{package.name}' has other fields or card types in the target: "
                       "its templates and CSS were not updated")
        return False
    templates = [(q, a) for _name, q, a in package.templates]
    return templates != [(q, a) for _name, q, a in target.templates] or package.css != target.css


def _distinct(items) -> list[str]:
    return list(dict.fromkeys(items))
