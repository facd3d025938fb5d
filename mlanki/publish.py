"""Write step: one transaction per build, so a failure at any point leaves the published state whole.

Every file a build writes (packages, changelog, caches, the record) is first written in full into a
staging folder, ``<output>/.mlanki-staging/`` (the record beside itself, as ``.mlanki.lock.staged``,
since ``source/`` may be another file system). Only when all of it is written and flushed is a
manifest renamed into the staging folder: that rename is the commit point. Then each staged file is
renamed over its target, the record last. A build killed before the commit point leaves the old files
untouched; one killed after it leaves a manifest, and the next build finishes the renames before it
does anything else (``recover``). Either way the next build removes whatever a killed one left behind.

A project lock (``<output>/.mlanki-build.lock``, with ``filelock``) makes a second build started at
the same time wait for the first; the kernel releases it when a build dies, so it never goes stale.

Test hook: with ``MLANKI_TEST_KILL_AT=<point>`` set in the environment, the build kills itself with
SIGKILL at that point of the write phase (``staged-N`` after the N-th staged file, ``staged`` when all
are, ``committed``, ``renamed-N`` after the N-th rename, ``before-record``), so tests can check what a
``kill -9`` leaves. Nothing else reads it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlanki.errors import MlankiError
from mlanki.sources import display_path

STAGING_NAME = ".mlanki-staging"
LOCK_NAME = ".mlanki-build.lock"
MANIFEST_NAME = "publish.json"
LOCK_WAIT = 120.0  # seconds a second build waits for the first before it gives up
_RECORD_SUFFIX = ".staged"
_KILL_HOOK = "MLANKI_TEST_KILL_AT"


@contextmanager
def project_lock(output: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the build lock of ``output`` for the duration; a second build waits, then refuses clearly."""
    from filelock import FileLock, Timeout

    wait = LOCK_WAIT if wait is None else wait
    _make_folder(output)
    lock = FileLock(output / LOCK_NAME, timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise MlankiError(f"{output}: another mlanki build is writing here (lock {output / LOCK_NAME}); "
                          f"waited {wait:.0f} s for it: let it finish, then build again") from None
    except OSError as problem:
        raise MlankiError(f"{output}: cannot write here ({problem.strerror or problem})") from None
    try:
        yield
    finally:
        lock.release()


class Transaction:
    """Stage outputs, then publish them all or none: ``with Transaction(...) as tx: tx.stage(...)``.

    Leaving the block normally commits and publishes; leaving it with an exception discards the staging.
    """

    def __init__(self, output: Path, record_path: Path) -> None:
        self.output = output
        self.record_path = record_path
        self.folder = output / STAGING_NAME
        self.moves: list[tuple[Path, Path]] = []  # staged file -> published file

    def __enter__(self) -> "Transaction":
        recover(self.output, self.record_path)
        _make_folder(self.folder)
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.commit()
        else:
            _discard(self.folder, self.record_path)

    def stage(self, target: Path, data: bytes, released: bool = False) -> bool:
        """Write ``data`` for ``target`` into the staging folder unless ``target`` already holds it.

        ``released``: ``target`` is a versioned package; one that exists with other bytes is never replaced.
        True when the file will change on publishing.
        """
        if target.is_dir():
            raise MlankiError(f"{target}: is a folder where mlanki publishes a file; move it away")
        current = _read(target)
        if current == data:
            return False
        if released and current is not None:
            raise MlankiError(
                f"{target}: this version was already released with different content, and a released package "
                f"is never replaced. Move it away if it is not a release of this project; otherwise restore the "
                f"record ({display_path(self.record_path)}) that built it from version control, or publish a new version with "
                "--version X.Y.Z")
        if target == self.record_path:
            staged = _staged_record(self.record_path)
        else:
            if target.parent != self.output:
                raise ValueError(f"{target} is not in the output folder")  # a programming error
            staged = self.folder / f"{len(self.moves)}-{target.name}"
        _write_synced(staged, data)
        self.moves.append((staged, target))
        test_hook(f"staged-{len(self.moves)}")
        return True

    def staged_path(self, target: Path) -> Path:
        """Where ``target``'s new bytes are now (its staged copy), or ``target`` itself when unchanged;
        a rename keeps size and time, so the stamps of this file are those the published one will have."""
        return next((staged for staged, published in self.moves if published == target), target)

    def commit(self) -> None:
        """The commit point (the manifest's rename), then every rename, the record's last."""
        moves = sorted(self.moves, key=lambda move: move[1] == self.record_path)
        test_hook("staged")
        manifest = {"format": 1, "outputs": [[s.name, t.name] for s, t in moves if t != self.record_path],
                    "record": any(t == self.record_path for _s, t in moves)}
        temporary = self.folder / (MANIFEST_NAME + ".tmp")
        try:
            _write_synced(temporary, json.dumps(manifest).encode())
            os.replace(temporary, self.folder / MANIFEST_NAME)
        except BaseException as problem:  # before the commit point: nothing was published
            _discard(self.folder, self.record_path)
            if isinstance(problem, OSError):
                raise MlankiError(f"{self.folder}: cannot write ({problem.strerror or problem})") from None
            raise
        test_hook("committed")
        _publish(self.output, self.record_path, manifest)


def recover(output: Path, record_path: Path) -> None:
    """Finish the publishing of a build killed after its commit point; remove what any killed build left."""
    folder = output / STAGING_NAME
    manifest = _manifest(folder / MANIFEST_NAME)
    if manifest is not None:
        _publish(output, record_path, manifest)
    else:
        _discard(folder, record_path)
    _remove_stale_temporaries(output, record_path)


def test_hook(point: str) -> None:
    """Documented test hook (see the module docstring): die here like ``kill -9`` when asked to."""
    if os.environ.get(_KILL_HOOK) == point:
        os.kill(os.getpid(), signal.SIGKILL)


# -- helpers ---------------------------------------------------------------------------------------------
def _publish(output: Path, record_path: Path, manifest: dict) -> None:
    folder = output / STAGING_NAME
    moves = [(folder / staged, output / target) for staged, target in manifest["outputs"]]
    if manifest["record"]:
        moves.append((_staged_record(record_path), record_path))
    for number, (staged, target) in enumerate(moves, start=1):
        if target == record_path:
            test_hook("before-record")
        if staged.exists():  # a staged file that is gone was renamed by the build that was killed
            try:
                os.replace(staged, target)
            except OSError as problem:
                raise MlankiError(f"{target}: cannot publish ({problem.strerror or problem}); the next build "
                                  "finishes publishing once it can write here") from None
        test_hook(f"renamed-{number}")
    shutil.rmtree(folder, ignore_errors=True)


def _manifest(path: Path) -> dict | None:
    """The manifest of a committed build, validated: names only, no path leaves its folder."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    try:
        pairs = data["outputs"]
        valid = (data.get("format") == 1 and isinstance(data.get("record"), bool) and isinstance(pairs, list)
                 and all(isinstance(p, list) and len(p) == 2 and all(_plain_name(n) for n in p) for p in pairs))
    except (TypeError, KeyError, AttributeError):
        valid = False
    return data if valid else None


def _plain_name(name) -> bool:
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name and "\\" not in name \
        and "\0" not in name


def _staged_record(record_path: Path) -> Path:
    return record_path.with_name(f".{record_path.name}{_RECORD_SUFFIX}")


def _discard(folder: Path, record_path: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    try:
        _staged_record(record_path).unlink(missing_ok=True)
    except OSError:
        pass  # a read-only source folder holds no staged record


def _remove_stale_temporaries(output: Path, record_path: Path) -> None:
    """Temporary files of killed builds of earlier mlanki versions (``.<name>.<random>.tmp``)."""
    for folder, names in ((output, None), (record_path.parent, record_path.name)):
        try:
            candidates = list(folder.glob(".*.tmp"))
        except OSError:
            continue
        for path in candidates:
            if names is None or path.name.startswith(f".{names}."):
                try:
                    path.unlink()
                except OSError:
                    pass


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as problem:
        raise MlankiError(f"{folder}: cannot write here ({problem.strerror or problem})") from None


def _write_synced(path: Path, data: bytes) -> None:
    """Write all of ``data`` and flush it to disk, so a commit never points at half a file."""
    try:
        with open(path, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(path, 0o666 & ~_umask())
    except OSError as problem:
        raise MlankiError(f"{path.parent}: cannot write ({problem.strerror or problem})") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
