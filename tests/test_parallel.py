"""Parsing in worker processes gives what parsing in one process gives: the same package bytes, the
same messages in the same order, on a source with warnings, an error file, cloze, multiple choice
and images (``parallel_min_bytes = 0`` makes even this small source take the parallel path)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from anki_support import fresh_collection, import_package
from conftest import FIXED_NOW
from mlanki.cli import cli
from mlanki.parse import DeckParser
from mlanki.render import MediaFiles
from mlanki.settings import Settings
from test_render import PNG_BLUE, PNG_RED

ENTRIES = """\
## **Topic1: Basics {n}**

#### What is dropout {n}?
Dropout is a regularization technique that zeroes random activations during training.
It keeps units from co-adapting.

***

#### Which activation outputs values between 0 and 1 ({n})?
A) ReLU
B) Sigmoid
C) Tanh
The correct answer is B.

***

#### Fill in the step size ({n})
The ==learning rate== sets the size of each step of ==gradient descent==.

***

#### Which plot shows overfitting ({n})?
A) ![left](img/option.png)
B) The right one

***

#### What does the loss curve {n} show?
![loss](img/plot.png)
Training loss falls while validation loss rises.

***

## **Topic2: Optimizers {n}**

#### DNN optimizers {n}, 1/3
SGD takes a step against the gradient.

***

#### {part}
Adam keeps running averages of the gradient and its square.

***

#### What is momentum {n}?
Momentum adds a fraction of the previous step.
![missing](img/none.png)

***

#### Which optimizer adapts per parameter ({n})?
A) SGD
B) Adagrad
"""

PARTS = ("2/3", "3/3", "2/2")  # a part heading with no words of its own, in each copy
COPIES = 3  # several batches per worker
TEXT = "# **Parallel Deck**\nCards parsed on every core.\n\n" + "".join(
    ENTRIES.format(n=n, part=part) for n, part in enumerate(PARTS, 1))
SECTIONS, DROPPED, REREAD = 9, 2, 2  # per copy: question sections, of them dropped, read again by the pass

BROKEN = """\
# **Broken**
## **Topic1: Code**
#### What does this print?
```python
print("never closed")
"""


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def project(root: Path, second_file: bool) -> Path:
    (root / "source" / "img").mkdir(parents=True)
    (root / "source" / "img" / "plot.png").write_bytes(PNG_RED)
    (root / "source" / "img" / "option.png").write_bytes(PNG_BLUE)  # only in a dropped entry
    (root / "source" / "deck.md").write_text(TEXT, encoding="utf-8")
    if second_file:
        (root / "source" / "broken.md").write_text(BROKEN, encoding="utf-8")
    (root / "setup.cfg").write_text("[mlanki]\nmissing_media = warning\nparallel_min_bytes = 0\n", encoding="utf-8")
    return root


def built(tmp_path: Path, monkeypatch, jobs: str, second_file: bool = False):
    root = project(tmp_path / f"jobs-{jobs}-{second_file}", second_file)
    monkeypatch.chdir(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(FIXED_NOW))  # the same note stamps in both builds
    checked = run("check", "--jobs", jobs)  # lints as it parses
    result = run("build", "--jobs", jobs)
    packages = {p.name: p.read_bytes() for p in sorted((root / "build").glob("*.apkg"))}
    return result, packages, checked


def test_parallel_build_gives_the_serial_bytes_and_messages(tmp_path, monkeypatch):
    serial, serial_packages, serial_check = built(tmp_path, monkeypatch, "1")
    parallel, parallel_packages, parallel_check = built(tmp_path, monkeypatch, "2")
    assert "the heading is only a label" in serial_check.stderr  # a lint notice
    assert parallel_check.stderr == serial_check.stderr and parallel_check.exit_code == serial_check.exit_code
    assert serial.exit_code == parallel.exit_code == 0
    assert "warning" in serial.stderr and "image 'img/none.png' not found" in serial.stderr
    assert parallel.stderr == serial.stderr and parallel.stdout == serial.stdout
    assert serial_packages and parallel_packages == serial_packages

    col = fresh_collection(tmp_path)
    import_package(col, tmp_path / "jobs-2-False" / "build" / "parallel-deck.apkg")
    notes = [col.get_note(n) for n in col.find_notes("")]
    fields = [" ".join(n.fields) for n in notes]
    assert len(notes) == COPIES * (SECTIONS - DROPPED) + COPIES  # + each "What is dropout?" definition cloze
    assert sum("{{c1::learning rate}}" in f and "{{c2::gradient descent}}" in f for f in fields) == COPIES
    assert "Explain DNN optimizers 1 (part 2 of 3)." in " ".join(fields)  # the label of the entry before
    assert any(name.endswith("-plot.png") for name in _media(col))
    col.close()


def test_parallel_build_reports_a_second_files_errors_like_the_serial_one(tmp_path, monkeypatch):
    serial, _, serial_check = built(tmp_path, monkeypatch, "1", second_file=True)
    parallel, packages, parallel_check = built(tmp_path, monkeypatch, "2", second_file=True)
    assert serial_check.exit_code == parallel_check.exit_code == 1 and parallel_check.stderr == serial_check.stderr
    assert serial.exit_code == parallel.exit_code == 1 and not packages
    assert "source/broken.md:4:1: error: code fence is never closed" in serial.stderr
    assert parallel.stderr == serial.stderr


def test_workers_read_the_entries_and_the_pass_rereads_those_that_lean_on_the_one_before(tmp_path):
    """The part heading "2/2" takes the label before it; the entry after a dropped choice lists its image."""
    source = project(tmp_path, second_file=False) / "source"
    text = TEXT
    results = {}
    for jobs, lint in ((1, False), (2, False), (1, True), (2, True)):
        parser = DeckParser("deck.md", Settings(jobs=jobs, parallel_min_bytes=0), source, MediaFiles(source), lint)
        results[jobs, lint] = parser.parse(text), parser.stream.adopted
    (serial, none_adopted), (parallel, adopted) = results[1, False], results[2, False]
    assert parallel == serial and none_adopted == 0
    assert results[2, True][0] == results[1, True][0] and results[1, True][0].notices  # lint notices too
    assert adopted == COPIES * (SECTIONS - REREAD)  # all but the part heading and the entry after the dropped choice


def _media(col) -> list[str]:
    return [p.name for p in Path(col.media.dir()).iterdir()]
