"""A maintainer's project and a learner's collection, for tests of what keeps cards' identity.

``Learner`` imports each release the way desktop Anki does (default options), reviews every card,
and after each import checks the promise: no GUID twice, every reviewed card's history kept.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from anki_support import fresh_collection, import_package, review_all, review_history, snapshot
from mlanki.build import build

T0 = 1_764_000_000
DAY = 86_400

DECK_V1 = """# **Identity Fixture**
A deck that meets accidents.

## **Topic1: Basics**

#### What is dropout used for?
To prevent overfitting. Dropout randomly disables neurons during training.

***
#### Which problem does batch normalization address?
Internal covariate shift.

***
#### What does the learning rate control?
The step size of each update.

## **Topic2: Models**

#### What is an autoencoder?
A network trained to reconstruct its input through a bottleneck.

***
#### What does KNN stand for?
K-Nearest Neighbors.
"""


class Project:
    """A project folder (setup.cfg + source/ + build/) whose builds are stamped by a fake clock."""

    def __init__(self, folder: Path, text: str = DECK_V1, name: str = "deck.md") -> None:
        self.folder = folder
        (folder / "source").mkdir(parents=True, exist_ok=True)
        (folder / "setup.cfg").write_text("[mlanki]\n", encoding="utf-8")
        self.file = folder / "source" / name
        self.file.write_text(text, encoding="utf-8")
        self.now = T0

    @property
    def record(self) -> Path:
        return self.folder / "source" / "mlanki.lock"

    def edit(self, old: str, new: str) -> None:
        text = self.file.read_text(encoding="utf-8")
        assert old in text, old
        self.file.write_text(text.replace(old, new), encoding="utf-8")

    def build(self, source=None, **options):
        self.now += DAY
        return build(source or self.folder / "source", self.folder / "build", now=self.now, **options)

    def release(self, **options) -> Path:
        """Build, then keep a copy of the versioned package as a learner would download it."""
        result = self.build(**options)
        (deck,) = result.decks
        return deck.package


class Learner:
    """One learner's collection: imports, reviews, and the promise checked after every import."""

    def __init__(self, tmp_path: Path) -> None:
        self.col = fresh_collection(tmp_path)
        self.history: dict[str, int] = {}

    def study(self, package: Path):
        log = import_package(self.col, package).log
        self.check_promise()
        review_all(self.col)
        self.history = review_history(self.col)
        return log

    def check_promise(self) -> None:
        seen = snapshot(self.col)
        guids = [n.guid for n in seen.notes]
        assert len(guids) == len(set(guids)), "a GUID twice"
        questions = [n.fields.get("Question") or n.fields.get("Text") for n in seen.notes
                     if "mlanki::retired" not in n.tags]
        assert len(questions) == len(set(questions)), f"a question twice: {sorted(questions)}"
        now = review_history(self.col)
        assert {g: now.get(g, 0) for g in self.history} == self.history, "review history lost"

    def notes(self) -> dict[str, object]:
        return {(n.fields.get("Question") or n.fields.get("Text")): n for n in snapshot(self.col).notes}

    def close(self) -> None:
        self.col.close()


def copy_project(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, symlinks=True)
