"""One transaction per build: a failure at any point of the write phase leaves the published state whole.

Faults are real: kill -9 of a build in a subprocess (at points chosen with the documented test hook
``MLANKI_TEST_KILL_AT``), a full file system and read-only folders (tmpfs mounts, which root cannot
write past; skipped where mounting is not allowed), a folder where a package must go, a second build
holding the lock. After each: the published files are byte-identical to before (or, for a kill after
the commit point, the next build finishes the publishing), the next build recovers, nothing is left over.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from anki_support import fresh_collection, import_package
from mlanki import publish
from mlanki.build import build
from mlanki.errors import MlankiError

DECK_A = "# **Alpha**\n## **Topic1: T**\n#### What is 2+2?\nFour.\n"
DECK_B = "# **Beta**\n## **Topic1: U**\n#### What is 3+3?\nSix.\n"
EPOCH = "1764000000"


@pytest.fixture
def two_decks(tmp_path, monkeypatch) -> Path:
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "a.md").write_text(DECK_A, encoding="utf-8")
    (tmp_path / "source" / "b.md").write_text(DECK_B, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return tmp_path


def published(root: Path) -> dict[str, bytes]:
    """Every file a build publishes: build/ and the record. The no-op cache holds file times, so it is
    named, not compared by content (``assert_consistent`` checks it is right)."""
    files = {p: p for p in (root / "build").iterdir()
             if p.is_file() and p.name not in (publish.LOCK_NAME, "filler")}
    record = root / "source" / "mlanki.lock"
    if record.exists():
        files[record] = record
    return {str(p.relative_to(root)): b"" if p.name == ".mlanki-cache.json" else p.read_bytes() for p in files}


def assert_consistent(root: Path) -> None:
    """The published state agrees with itself: a build now has nothing to do and writes nothing."""
    before = {p: p.stat().st_mtime_ns for p in (root / "build").iterdir()}
    result = run_cli(root)
    assert result.returncode == 0 and "No content change: nothing written." in result.stdout, result.stdout
    assert {p: p.stat().st_mtime_ns for p in (root / "build").iterdir()} == before


def leftovers(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        name = path.name
        if (name == publish.STAGING_NAME or name.endswith((".tmp", ".staged", ".anki2"))
                or "pickle" in name):
            found.append(str(path.relative_to(root)))
    return found


def edit_both(root: Path) -> None:
    (root / "source" / "a.md").write_text(DECK_A + "***\n#### What is 5+5?\nTen.\n", encoding="utf-8")
    (root / "source" / "b.md").write_text(DECK_B + "***\n#### What is 4+4?\nEight.\n", encoding="utf-8")


def run_cli(root: Path, *args: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    env.pop("MLANKI_TEST_KILL_AT", None)
    if kill_at:
        env["MLANKI_TEST_KILL_AT"] = kill_at
    return subprocess.run([sys.executable, "-m", "mlanki", "build", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def expected_after_edit(tmp_path: Path) -> dict[str, bytes]:
    """What an uninterrupted build of the edited sources publishes, in a separate copy of the project."""
    control = tmp_path / "control"
    control.mkdir()
    shutil.copytree(Path("source"), control / "source")
    shutil.copytree(Path("build"), control / "build")
    edit_both(control)
    assert run_cli(control).returncode == 0
    return published(control)


# -- bad input and unwritable targets in a multi-deck project --------------------------------------------
def test_bad_input_in_the_second_deck_publishes_nothing(two_decks):
    build()
    before = published(two_decks)
    (two_decks / "source" / "a.md").write_text(DECK_A + "***\n#### What is 5+5?\nTen.\n", encoding="utf-8")
    (two_decks / "source" / "b.md").write_text(DECK_B + "***\n#### Q?\n{{c1::open\n", encoding="utf-8")
    result = run_cli(two_decks)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "source/b.md:6: error: cloze deletion {{c1::... is never closed with }}"
    assert published(two_decks) == before
    assert leftovers(two_decks) == []


def test_a_failure_writing_the_second_deck_leaves_the_first_deck_published_as_it_was(two_decks, tmp_path):
    build()
    before = published(two_decks)
    edit_both(two_decks)
    (two_decks / "build" / "beta-1.1.0.apkg").mkdir()  # deck 2's new package cannot be put in place
    result = run_cli(two_decks)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == "build/beta-1.1.0.apkg: is a folder where mlanki publishes a file; move it away"
    (two_decks / "build" / "beta-1.1.0.apkg").rmdir()
    assert published(two_decks) == before, "deck 1 (alpha) and the record are untouched"
    assert leftovers(two_decks) == []
    assert run_cli(two_decks).returncode == 0
    assert {"build/alpha-1.1.0.apkg", "build/beta-1.1.0.apkg"} <= set(published(two_decks))


def test_a_released_package_is_never_replaced_with_other_bytes(two_decks):
    build()
    (two_decks / "source" / "a.md").write_text(DECK_A + "***\n#### What is 6+6?\nTwelve.\n", encoding="utf-8")
    other = b"PK\x03\x04 an alpha 1.1.0 this record never made (copied in, or cut short)"
    (two_decks / "build" / "alpha-1.1.0.apkg").write_bytes(other)
    before = published(two_decks)
    with pytest.raises(MlankiError) as error:
        build()
    assert str(error.value) == (
        "build/alpha-1.1.0.apkg: this version was already released with different content, and a released "
        "package is never replaced. Move it away if it is not a release of this project; otherwise restore the "
        "record (source/mlanki.lock) that built it from version control, or publish a new version with "
        "--version X.Y.Z")
    assert (two_decks / "build" / "alpha-1.1.0.apkg").read_bytes() == other
    assert published(two_decks) == before
    assert leftovers(two_decks) == []


# -- kill -9 ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("point", ["staged-1", "staged-3", "staged"])
def test_kill_before_the_commit_point_keeps_the_published_state(two_decks, tmp_path, point):
    assert run_cli(two_decks).returncode == 0
    before = published(two_decks)
    expected = expected_after_edit(tmp_path)
    edit_both(two_decks)
    result = run_cli(two_decks, kill_at=point)
    assert result.returncode == -signal.SIGKILL
    assert published(two_decks) == before
    assert leftovers(two_decks), "the killed build did leave its staging behind"
    assert run_cli(two_decks).returncode == 0
    assert leftovers(two_decks) == []
    assert published(two_decks) == expected
    assert_consistent(two_decks)


@pytest.mark.parametrize("point", ["committed", "renamed-1", "renamed-3", "before-record"])
def test_kill_after_the_commit_point_is_finished_by_the_next_build(two_decks, tmp_path, point):
    assert run_cli(two_decks).returncode == 0
    expected = expected_after_edit(tmp_path)
    edit_both(two_decks)
    result = run_cli(two_decks, kill_at=point)
    assert result.returncode == -signal.SIGKILL
    assert run_cli(two_decks).returncode == 0
    assert leftovers(two_decks) == []
    assert published(two_decks) == expected
    assert_consistent(two_decks)
    col = fresh_collection(tmp_path)
    for name in ("alpha.apkg", "beta.apkg"):
        import_package(col, two_decks / "build" / name)
    assert col.note_count() == 4
    col.close()


def test_stale_files_of_older_killed_builds_are_removed(two_decks):
    build()
    stale = [two_decks / "build" / ".alpha.apkg.x1y2.tmp", two_decks / "build" / ".mlanki-cache.json.k3.tmp",
             two_decks / "source" / ".mlanki.lock.abc.tmp", two_decks / "build" / publish.STAGING_NAME / "0-a.apkg"]
    for path in stale:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"half a file")
    edit_both(two_decks)
    build()
    assert leftovers(two_decks) == []
    assert not any(p.exists() for p in stale)


# -- the lock ---------------------------------------------------------------------------------------------
def hold_lock(folder: Path, seconds: float) -> subprocess.Popen:
    code = ("import sys, time\nfrom filelock import FileLock\nlock = FileLock(sys.argv[1]); lock.acquire()\n"
            "print('held', flush=True)\ntime.sleep(float(sys.argv[2]))\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(folder / publish.LOCK_NAME), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_build_refuses_clearly_when_the_lock_stays_held(two_decks, monkeypatch):
    (two_decks / "build").mkdir()
    holder = hold_lock(two_decks / "build", 30)
    try:
        monkeypatch.setattr(publish, "LOCK_WAIT", 0.3)
        with pytest.raises(MlankiError) as error:
            build()
        assert str(error.value) == ("build: another mlanki build is writing here (lock build/.mlanki-build.lock); "
                                    "waited 0 s for it: let it finish, then build again")
    finally:
        holder.kill()
        holder.wait()
    assert not (two_decks / "build" / "alpha.apkg").exists()
    build()  # the kernel released the dead holder's lock
    assert (two_decks / "build" / "alpha.apkg").exists()


def test_a_second_build_waits_for_the_first(two_decks):
    (two_decks / "build").mkdir()
    holder = hold_lock(two_decks / "build", 1.0)
    build()
    assert holder.poll() is not None, "the build ran only after the holder let go"
    holder.wait()


# -- full and read-only file systems (tmpfs; root ignores permission bits, not a read-only mount) -------
@pytest.fixture
def mount(tmp_path):
    mounted = []

    def make(path: Path, size: str) -> Path:
        path.mkdir(exist_ok=True)
        if os.geteuid() != 0:
            pytest.skip("mounting a small tmpfs needs root")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
        if done.returncode:
            pytest.skip(f"cannot mount tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(path)
        return path

    yield make
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True)


def test_full_output_folder_keeps_the_published_state_and_recovers(two_decks, mount):
    mount(two_decks / "build", "2m")
    build()
    before = published(two_decks)
    filler = two_decks / "build" / "filler"
    try:
        with open(filler, "wb") as handle:  # fill the disk to the last block
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
    except OSError:
        pass
    edit_both(two_decks)
    result = run_cli(two_decks)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("build/.mlanki-staging: cannot write")
    assert "disk is full" in result.stderr or "No space left on device" in result.stderr
    filler.unlink()
    assert published(two_decks) == before
    assert leftovers(two_decks) == []
    assert run_cli(two_decks).returncode == 0
    assert "build/alpha-1.1.0.apkg" in published(two_decks)


@pytest.mark.parametrize("folder", ["source", "build"])
def test_read_only_folder_keeps_the_published_state_and_recovers(two_decks, mount, folder):
    saved = {p.name: p.read_bytes() for p in (two_decks / "source").iterdir()}
    mount(two_decks / folder, "4m")
    for name, data in saved.items():
        (two_decks / "source" / name).write_bytes(data)
    assert run_cli(two_decks).returncode == 0
    before = published(two_decks)
    edit_both(two_decks)
    remount(two_decks / folder, "ro")
    try:
        result = run_cli(two_decks)
    finally:
        remount(two_decks / folder, "rw")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Read-only file system" in result.stderr, result.stderr
    assert published(two_decks) == before
    assert leftovers(two_decks) == []
    assert run_cli(two_decks).returncode == 0
    assert "build/beta-1.1.0.apkg" in published(two_decks)
