"""A property over months of maintenance: random sequences of edits, title renames, file moves,
record losses and merges, each followed by a learner's import in real Anki. Never a duplicate,
never a lost review history (``Learner.study`` checks both after every import)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_support import Learner, Project

ACTIONS = ("edit", "reword", "add", "remove", "rename-title", "move-file", "lose-record", "merge", "move-topic")


class Deck:
    """The maintainer's deck as plain data, written out as Micro-Learning Markdown."""

    def __init__(self) -> None:
        self.title = "Sequence Deck"
        self.entries = [[f"What is concept number {n} about?", f"Concept {n} is about thing {n}.", n % 2]
                        for n in range(5)]
        self.added = 5

    def markdown(self) -> str:
        lines = [f"# **{self.title}**", "A deck under maintenance.", ""]
        for topic in (0, 1):
            lines += [f"## **Topic{topic + 1}: Part {topic}**", ""]
            for question, answer, where in self.entries:
                if where == topic:
                    lines += [f"#### {question}", answer, "", "***"]
        return "\n".join(lines) + "\n"

    def apply(self, action: str, pick: int, project: Project, shelf: Path) -> None:
        entry = self.entries[pick % len(self.entries)]
        if action == "edit":
            entry[1] += " More detail."
        elif action == "reword":
            entry[0] = entry[0].replace("concept", "the concept", 1) if "the concept" not in entry[0] else entry[0] + " "
        elif action == "add":
            self.entries.insert(pick % (len(self.entries) + 1), [f"What does idea {self.added} mean?",
                                                                 f"Idea {self.added} means a thing.", pick % 2])
            self.added += 1
        elif action == "remove" and len(self.entries) > 2:
            self.entries.remove(entry)
        elif action == "rename-title":
            self.title += " Plus"
        elif action == "move-topic":
            entry[2] = 1 - entry[2]
        elif action == "move-file":
            target = project.folder / "source" / f"moved-{pick % 3}-{project.file.name}"
            if not target.exists():
                project.file.rename(target)
                project.file = target
        elif action == "lose-record":
            project.record.unlink(missing_ok=True)
        elif action == "merge" and (shelf / "record").exists() and project.record.exists():
            ours, theirs = project.record.read_text(encoding="utf-8"), (shelf / "record").read_text(encoding="utf-8")
            project.record.write_text(f"<<<<<<< HEAD\n{ours}=======\n{theirs}>>>>>>> branch\n", encoding="utf-8")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 50)), min_size=1, max_size=5))
def test_no_sequence_of_accidents_duplicates_a_card_or_loses_history(steps):
    folder = Path(tempfile.mkdtemp(prefix="mlanki-seq-"))
    try:
        deck = Deck()
        project = Project(folder / "project", deck.markdown())
        shelf = folder / "shelf"
        shelf.mkdir()
        (folder / "anki").mkdir()
        learner = Learner(folder / "anki")
        learner.study(project.release())
        for action, pick in steps:
            if project.record.exists():
                shutil.copy(project.record, shelf / "record")  # the other branch's record
            deck.apply(action, pick, project, shelf)
            project.file.write_text(deck.markdown(), encoding="utf-8")
            (built,) = project.build().decks
            learner.study(built.package)
            questions = {n for n in learner.notes() if n}
            assert all(entry[0].strip() in questions for entry in deck.entries), "every entry is a card"
        learner.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
