"""``sync``: build as ``mlanki build`` does, then apply each deck straight to a collection or a running Anki.

An import cannot delete, move, rename or retire, and skips notes a learner edited; sync can::

    from mlanki.sync import sync
    result = sync("source/", collection="~/.local/share/Anki2/User 1/collection.anki2", dry_run=True)
    print(result.describe())

    package contents (content.py) + target's notes -> plan (plan.py) -> collection.py | ankiconnect.py
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlanki.errors import MlankiError
from mlanki.sync.content import read_package
from mlanki.sync.plan import Plan

if TYPE_CHECKING:  # build is imported when sync runs
    from mlanki.build import BuildResult


@dataclass
class SyncResult:
    build: "BuildResult"
    plans: list[Plan] = field(default_factory=list)
    target: str = ""
    dry_run: bool = False
    backup: Path | None = None

    def describe(self) -> str:
        """The plan of every deck: in full for a dry run, counts only after a real sync."""
        heading = f"Plan for {self.target} (dry run, nothing changed):" if self.dry_run else f"Synced {self.target}:"
        lines = [heading] + [plan.describe(detailed=self.dry_run) for plan in self.plans]
        if self.backup:
            lines.append(f"Backup written to {self.backup}")
        return "\n".join(lines)


def sync(source: str | Path | None = None, output: str | Path | None = None, *, collection: str | Path | None = None,
         profile: str | None = None, anki_connect: str | None = None, dry_run: bool = False,
         delete_retired: bool = False, strict: bool | None = None, **build_options) -> SyncResult:
    """Build the decks of ``source`` and apply them to exactly one target; raises MlankiError."""
    if sum(t is not None for t in (collection, profile, anki_connect)) != 1:
        raise MlankiError("sync needs exactly one target: --collection PATH, --profile NAME or --anki-connect [URL]")
    from mlanki.build import build

    result = build(source, output, strict=strict, **build_options)
    decks = [read_package(deck.latest, deck.name) for deck in result.decks]
    if anki_connect is not None:
        from mlanki.sync.ankiconnect import sync_anki_connect

        plans = sync_anki_connect(anki_connect, decks, dry_run, delete_retired)
        return SyncResult(result, plans, f"Anki at {anki_connect}", dry_run)
    from mlanki.sync.collection import profile_collection, sync_collection

    path = profile_collection(profile) if profile is not None else Path(collection).expanduser()
    plans, backup = sync_collection(path, decks, dry_run, delete_retired)
    return SyncResult(result, plans, str(path), dry_run, backup)
