"""Apply sync plans to a closed Anki collection file with the official ``anki`` package.

Anki keeps its collection locked while it runs, so this mode needs Anki closed (or use
``--anki-connect``). It writes Anki's own backup before the first change.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from mlanki.errors import MlankiError
from mlanki.sync.content import PackageContents, write_subset
from mlanki.sync.plan import Plan, Target, TargetCard, TargetNote, TargetNoteType, plan_sync

DEFAULT_DECK_ID = 1
# What an import saves as the next presets of the learner's import dialog; put back after ours.
_IMPORT_PRESET_KEYS = ("updateNotes", "updateNotetypes", "mergeNotetypes", "withScheduling", "withDeckConfigs")
_CHUNK = 500


def anki_base() -> Path:
    """Anki's standard data folder on this system (ANKI_BASE wins, as in Anki itself)."""
    if os.environ.get("ANKI_BASE"):
        return Path(os.environ["ANKI_BASE"])
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "Anki2"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Anki2"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "Anki2"


def profile_collection(name: str, base: Path | None = None) -> Path:
    """The collection file of profile ``name`` (Anki compares profile names without case)."""
    base = base or anki_base()
    profiles = sorted(p.name for p in base.glob("*") if (p / "collection.anki2").is_file()) if base.is_dir() else []
    for profile in profiles:
        if profile.casefold() == name.casefold():
            return base / profile / "collection.anki2"
    known = ", ".join(profiles) or "none"
    raise MlankiError(f"no Anki profile '{name}' in {base} (profiles there: {known})")


def sync_collection(path: Path, decks: list[PackageContents], dry_run: bool = False,
                    delete_retired: bool = False) -> tuple[list[Plan], Path | None]:
    """Plan every deck against the collection at ``path`` and, unless ``dry_run``, apply the plans.

    Returns the plans and the backup folder (None when nothing changed).
    """
    col = open_collection(path)
    backup = None
    try:
        plans = [plan_sync(contents, read_target(col, contents), delete_retired) for contents in decks]
        if not dry_run and any(p.has_changes for p in plans):
            backup = Path(path).resolve().parent / "backups"
            backup.mkdir(exist_ok=True)
            col.create_backup(backup_folder=os.fspath(backup), force=True, wait_for_completion=True)
            for plan in plans:
                apply_plan(col, plan)
    finally:
        col.close()
    return plans, backup


def open_collection(path: Path):
    try:
        from anki.collection import Collection
        from anki.errors import DBError
    except ImportError:
        raise MlankiError("sync --collection/--profile needs the anki package: pip install 'mlanki[sync]'") from None
    if not Path(path).is_file():
        raise MlankiError(f"{path}: no such Anki collection file")
    try:
        return Collection(os.fspath(path))
    except DBError as problem:
        if "already open" in str(problem):
            raise MlankiError(f"{path}: the collection is open in Anki (or syncing media); close Anki first, "
                              "or sync with --anki-connect") from None
        raise MlankiError(f"{path}: cannot open the collection: {problem}") from None


def read_target(col, contents: PackageContents) -> Target:
    """The collection's notes with the package's GUIDs, wherever they are, and what else the plan needs.

    Plain rows through Anki's database handle: one query per chunk instead of a backend call per note.
    """
    deck_names = {d.id: d.name for d in col.decks.all_names_and_ids()}
    notetype_fields = {}
    guids = [n.guid for n in contents.notes]
    rows, cards = [], defaultdict(list)
    for start in range(0, len(guids), _CHUNK):
        chunk = guids[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found = col.db.all(f"select id, guid, mid, tags, flds from notes where guid in ({marks})", *chunk)
        rows += found
        nids = [row[0] for row in found]
        for cid, nid, did, odid, queue in col.db.all(
                f"select id, nid, did, odid, queue from cards where nid in ({','.join('?' * len(nids))})"
                " order by nid, ord", *nids):
            cards[nid].append(TargetCard(cid, deck_names[odid or did], queue == -1))
    notes = []
    for nid, guid, mid, tags, flds in rows:
        if mid not in notetype_fields:
            nt = col.models.get(mid)
            notetype_fields[mid] = (nt["name"], [f["name"] for f in nt["flds"]])
        name, fields = notetype_fields[mid]
        notes.append(TargetNote(nid, guid, name, tuple(zip(fields, flds.split("\x1f"))), tuple(tags.split()),
                                tuple(cards[nid])))
    notetypes = {}
    for name in contents.notetypes:
        nt = col.models.by_name(name)
        if nt:
            notetypes[name] = TargetNoteType(name, tuple(f["name"] for f in nt["flds"]),
                                             tuple((t["name"], t["qfmt"], t["afmt"]) for t in nt["tmpls"]), nt["css"])
    return Target(tuple(notes), notetypes, frozenset(deck_names.values()), frozenset(m for m in contents.media if col.media.have(m)))


def apply_plan(col, plan: Plan) -> None:
    """Make the collection hold exactly the plan's deck; scheduling and review history stay."""
    for old, new in plan.rename:
        col.decks.rename(col.decks.id_for_name(old), new)
    if plan.add:
        _add_notes(col, plan)
    for notetype in plan.notetypes:
        nt = col.models.by_name(notetype.name)
        for template, (_name, front, back) in zip(nt["tmpls"], notetype.templates):
            template["qfmt"], template["afmt"] = front, back
        nt["css"] = notetype.css
        col.models.update_dict(nt)
    notes = []
    for change in plan.update + plan.retire:
        note = col.get_note(change.note_id)
        for name, value in change.fields:
            if name in note:
                note[name] = value
        note.tags = list(change.tags)
        notes.append(note)
    if notes:
        col.update_notes(notes)
    if plan.suspend:
        col.sched.suspend_cards(list(plan.suspend))
    if plan.delete:
        col.remove_notes([d.note_id for d in plan.delete])
    moves = defaultdict(list)
    for move in plan.moves_after_rename:
        moves[move.to_deck].append(move.card_id)
    for deck, card_ids in moves.items():
        col.set_deck(card_ids, col.decks.id(deck))
    for name in plan.media:
        col.media.write_data(name, plan.contents.media_data(name))
    for name in dict.fromkeys(plan.renamed(n) for n in plan.left_decks):
        did = col.decks.id_for_name(name)
        if did and did != DEFAULT_DECK_ID and col.decks.card_count(did, include_subdecks=True) == 0:
            col.decks.remove([did])


def _add_notes(col, plan: Plan) -> None:
    """Import a package of just the new notes: Anki gives them the package's GUIDs, note types and decks."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as Condition

    saved = {key: col.get_config(key, None) for key in _IMPORT_PRESET_KEYS}
    options = ImportAnkiPackageOptions(
        update_notes=Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_NEVER,
        update_notetypes=Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
        merge_notetypes=False, with_scheduling=False, with_deck_configs=False)
    with tempfile.TemporaryDirectory(prefix="mlanki-sync-") as folder:
        subset = write_subset(plan.contents, {n.guid for n in plan.add}, Path(folder) / "new-notes.apkg")
        col.import_anki_package(ImportAnkiPackageRequest(package_path=os.fspath(subset), options=options))
    for key, value in saved.items():
        if value is None:
            col.remove_config(key)
        else:
            col.set_config(key, value)
