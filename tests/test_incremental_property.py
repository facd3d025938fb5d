"""An incremental build gives the bytes of a clean one, after any sequence of edits.

Each step edits the source (an answer reworded, an entry added, deleted or moved to another topic,
a topic renamed, lines shifted), then builds twice from the same state: once with the caches of the
earlier builds, once in a copy without them. The packages and the record must be identical.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st

from conftest import BUNDLED
from mlanki.build import build

OPERATIONS = ("edit", "reword question", "insert", "delete", "move", "shift", "rename topic")
# Entries that depend on the one before: a part heading continues the label before it, and a
# ==mark== in a heading numbers its clozes; editing their neighbours must reach them through the cache.
DEPENDENT = """
#### Huber Loss:
It is quadratic for small errors and linear for large ones.

***
#### 2/3
It is less sensitive to outliers than squared error.

***
#### What does ==dropout== do in training?
It drops ==random units== at each step.

***
"""


def entries_and_rest(text: str) -> tuple[str, list[str]]:
    """The text before the first question, and each question's chunk (``####`` heading to the next)."""
    head, *chunks = text.split("\n#### ")
    return head, ["#### " + chunk for chunk in chunks]


def apply(text: str, operation: str, at: int, step: int) -> str:
    head, chunks = entries_and_rest(text)
    i = at % len(chunks)
    if operation == "edit":
        lines = chunks[i].rstrip("\n").split("\n")
        prose = [n for n, line in enumerate(lines) if line.strip() and not line.startswith(("#", "*", "`", "|"))]
        n = prose[-1] if prose else len(lines) - 1
        lines[n] += f" Edited in step {step}."
        chunks[i] = "\n".join(lines) + "\n"
    elif operation == "reword question":
        heading, _, rest = chunks[i].partition("\n")
        chunks[i] = re.sub(r"([?:]?)\s*$", f" in step {step}\\1", heading, count=1) + "\n" + rest
    elif operation == "insert":
        chunks.insert(i, f"#### Which new question does step {step} ask?\nThe answer of step {step}.\n\n***\n")
    elif operation == "delete" and len(chunks) > 3:
        del chunks[i]
    elif operation == "move":
        chunk = chunks.pop(i)
        if "\n## " in chunk:  # the chunk ends with the next topic's heading: keep that heading in place
            chunk, topic = chunk.split("\n## ", 1)
            chunks.insert(i, "## " + topic)
            chunk += "\n"
        chunks.insert((i * 7 + 3) % (len(chunks) + 1), chunk)
    elif operation == "shift":
        chunks[i] = "\n\n" + chunks[i]
    elif operation == "rename topic":
        topics = [n for n, chunk in enumerate(chunks) if "\n## " in chunk]
        if topics:
            n = topics[at % len(topics)]
            chunks[n] = chunks[n].replace("\n## ", f"\n## Step {step} ", 1)
    return head + "".join("\n" + chunk for chunk in chunks)


def published(folder: Path) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in sorted((folder / "build").glob("*.apkg"))}
    return files | {"record": (folder / "source" / "mlanki.lock").read_bytes(),
                    "changelog": (folder / "build" / "CHANGELOG.md").read_bytes()}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(steps=[("reword question", 2)])  # the label the part heading after it continues
@example(steps=[("delete", 2), ("edit", 3)])
@example(steps=[("move", 3)])  # the part heading moved under another entry
@example(steps=[("edit", 4), ("reword question", 4)])  # the ==mark== heading's clozes
@given(steps=st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 200)), min_size=1, max_size=4))
def test_incremental_builds_equal_clean_builds_after_any_edits(tmp_path_factory, steps):
    root = tmp_path_factory.mktemp("incremental")
    (root / "source").mkdir()
    source = root / "source" / "deck.md"
    head, chunks = entries_and_rest(BUNDLED.read_text(encoding="utf-8"))
    chunks.insert(2, DEPENDENT.lstrip("\n"))
    source.write_text(head + "".join("\n" + chunk for chunk in chunks), encoding="utf-8")
    build(root / "source", root / "build", now=1_764_000_000)
    for step, (operation, at) in enumerate(steps, start=1):
        source.write_text(apply(source.read_text(encoding="utf-8"), operation, at, step), encoding="utf-8")
        clean = tmp_path_factory.mktemp("clean")
        shutil.copytree(root / "source", clean / "source")
        shutil.copytree(root / "build", clean / "build")
        for cache in (clean / "build").glob(".mlanki-*"):
            cache.unlink()
        now = 1_764_000_000 + step * 86_400
        incremental = build(root / "source", root / "build", now=now)
        from_scratch = build(clean / "source", clean / "build", now=now)
        assert [d.version for d in incremental.decks] == [d.version for d in from_scratch.decks]
        assert [str(d).replace(str(root), "") for d in incremental.diagnostics] == \
            [str(d).replace(str(clean), "") for d in from_scratch.diagnostics]
        assert published(root) == published(clean), (step, operation, at)
