"""Side by side, in one interleaved run: mlanki against a peer and the floor, and the edit latency.

* peers  - the same generated entries in the common ``# Deck`` / ``## Question`` format, built by the
  floor (``floor.py``, questions at ``##``), ``mlanki build`` (``topic_level = 1`` in the benchmark
  folder's setup.cfg) and markdown-anki-decks 1.1.1 (``mdankideck``), each run in turn, repeat after
  repeat, so a machine that other work loads slows all three alike.
* edits  - Micro-Learning-style entries: a full build from scratch, then on the state it left one
  entry edited (alternately edited and restored, so every timed build changes exactly one entry)
  and a no-op rebuild, again interleaved.

markdown-anki-decks is installed with pip into a virtual environment of its own (it needs
``click<8.2`` and ``typer<0.13`` to start today), kept in ``~/.cache/mlanki-benchmarks/`` and
reused while it works; when it cannot be installed its rows are skipped with a line saying why.
Every time is a whole process (interpreter start included), the median of ``--repeat`` runs.

    python benchmarks/compare.py                              # peers at 2k and 10k; edits at 10k and 100k
    python benchmarks/compare.py --peers 2000 --edits 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import as_deck_format, edit, generate  # noqa: E402
from run import timed  # noqa: E402

PEER = "markdown-anki-decks==1.1.1"
PEER_PINS = ["click<8.2", "typer<0.13"]
PEER_VENV = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mlanki-benchmarks" / "markdown-anki-decks-1.1.1"


def peer_command(venv: Path = PEER_VENV) -> tuple[list[str] | None, str]:
    """``mdankideck`` from its own virtual environment (created on first use): (argv or None, why not)."""
    executable = venv / "bin" / "mdankideck"
    if not _starts(executable):
        shutil.rmtree(venv, ignore_errors=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
            subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", PEER, *PEER_PINS],
                           check=True, capture_output=True, text=True, timeout=600)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as problem:
            detail = getattr(problem, "stderr", "") or str(problem)
            return None, f"skipped: {PEER} could not be installed ({detail.strip().splitlines()[-1:] or problem})"
        if not _starts(executable):
            return None, f"skipped: {PEER} installed but `mdankideck --help` fails"
    return [str(executable)], f"{PEER} with {' '.join(PEER_PINS)} in {venv}"


def _starts(executable: Path) -> bool:
    if not executable.exists():
        return False
    return subprocess.run([str(executable), "--help"], capture_output=True).returncode == 0


def bench_peers(n: int, repeat: int, work: Path, peer: list[str] | None) -> dict[str, tuple[float, float]]:
    """floor, mlanki and (when installed) markdown-anki-decks on ``n`` entries: name -> (median s, peak MB)."""
    work.mkdir(parents=True)
    (work / "setup.cfg").write_text("[mlanki]\ntopic_level = 1\n", encoding="utf-8")  # ## headings are questions
    deck = work / "deck.md"
    deck.write_text(as_deck_format(generate(n)), encoding="utf-8")
    steps = {"floor": lambda i: [sys.executable, str(HERE / "floor.py"), str(deck), str(work / f"floor{i}.apkg"), "2"],
             "mlanki": lambda i: [sys.executable, "-m", "mlanki", "build", str(_fresh(work / f"m{i}", deck)),
                                  "-o", str(work / f"m{i}" / "out")]}
    if peer:
        steps["markdown-anki-decks"] = lambda i: peer + [str(_fresh(work / f"p{i}", deck)), str(_empty(work / f"p{i}" / "out"))]
    return _interleaved(steps, repeat, work)


def bench_edits(n: int, repeat: int, work: Path) -> dict[str, tuple[float, float]]:
    """Full build, one-entry edit and no-op on ``n`` Micro-Learning entries: name -> (median s, peak MB)."""
    work.mkdir(parents=True)
    base = generate(n)
    variants = [edit(base, count=1), base]  # alternate: each timed edit build changes exactly one entry
    source = work / "base.md"
    source.write_text(base, encoding="utf-8")
    state = work / "state"
    subprocess.run([sys.executable, "-m", "mlanki", "build", str(_fresh(state, source)), "-o", str(state / "out")],
                   check=True, cwd=work, capture_output=True, env=_env())

    def edited(i: int) -> list[str]:
        (state / "src" / "deck.md").write_text(variants[i % 2], encoding="utf-8")
        return _mlanki(state)

    steps = {"full": lambda i: _mlanki(work / "full", source), "edit": edited, "noop": lambda i: _mlanki(state)}
    results = _interleaved(steps, repeat, work, rotate=False)  # edit then no-op: the no-op follows a build
    shutil.rmtree(work)  # several GB at 100k
    return results


def _interleaved(steps: dict, repeat: int, cwd: Path, rotate: bool = True) -> dict[str, tuple[float, float]]:
    """Each step once per round (rotated, so no step always runs first), ``repeat`` rounds."""
    walls: dict[str, list[float]] = {name: [] for name in steps}
    peaks: dict[str, list[float]] = {name: [] for name in steps}
    names = list(steps)
    for i in range(repeat):
        order = names[i % len(names):] + names[:i % len(names)] if rotate else names
        for name in order:
            wall, peak = timed(steps[name](i), cwd)
            walls[name].append(wall)
            peaks[name].append(peak)
    return {name: (statistics.median(walls[name]), max(peaks[name])) for name in names}


def _mlanki(folder: Path, source: Path | None = None) -> list[str]:
    src = _fresh(folder, source) if source else folder / "src"
    return [sys.executable, "-m", "mlanki", "build", str(src), "-o", str(folder / "out")]


def _fresh(folder: Path, source: Path) -> Path:
    """``folder/src/deck.md``: a copy of ``source`` with no record beside it, and no output yet."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "src").mkdir(parents=True)
    shutil.copy(source, folder / "src" / "deck.md")
    return folder / "src"


def _empty(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _env() -> dict[str, str]:
    return dict(os.environ, SOURCE_DATE_EPOCH="1700000000", PYTHONDONTWRITEBYTECODE="1")


def peer_table(results: dict[int, dict[str, tuple[float, float]]]) -> str:
    rows = ["| entries (# Deck / ## Question) | floor | mlanki | markdown-anki-decks | mlanki / floor | markdown-anki-decks / mlanki |",
            "|---:|---:|---:|---:|---:|---:|"]
    for n, r in results.items():
        floor, mlanki = r["floor"][0], r["mlanki"][0]
        peer = r.get("markdown-anki-decks")
        rows.append(f"| {n:,} | {floor:.2f} s | {mlanki:.2f} s | {f'{peer[0]:.2f} s' if peer else 'skipped'} "
                    f"| {mlanki / floor:.2f} | {f'{peer[0] / mlanki:.1f}×' if peer else '–'} |")
    return "\n".join(rows)


def edit_table(results: dict[int, dict[str, tuple[float, float]]]) -> str:
    rows = ["| entries (Micro-Learning) | full build | one entry edited | edit / full | no-op | peak memory (full / edit) |",
            "|---:|---:|---:|---:|---:|---:|"]
    for n, r in results.items():
        (full, full_mb), (edit_s, edit_mb), (noop, _) = r["full"], r["edit"], r["noop"]
        rows.append(f"| {n:,} | {full:.2f} s | {edit_s:.2f} s | {edit_s / full:.2f} | {noop:.2f} s "
                    f"| {full_mb:.0f} / {edit_mb:.0f} MB |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--peers", default="2000,10000", help="entry counts for the peer comparison ('' to skip)")
    parser.add_argument("--edits", default="10000,100000", help="entry counts for the edit latency ('' to skip)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per measurement (median reported)")
    args = parser.parse_args()
    sizes = lambda text: [int(s) for s in text.split(",") if s]  # noqa: E731
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; "
          f"median of {args.repeat}, whole processes", flush=True)
    with tempfile.TemporaryDirectory(prefix="mlanki-compare-") as tmp:
        if sizes(args.peers):
            peer, about = peer_command()
            print(f"peer: {about}", flush=True)
            peers = {}
            for n in sizes(args.peers):
                started = time.perf_counter()
                peers[n] = bench_peers(n, args.repeat, Path(tmp) / f"peers{n}", peer)
                print(f"[peers at {n:,} entries: {time.perf_counter() - started:.0f} s]", file=sys.stderr, flush=True)
            print("\n" + peer_table(peers), flush=True)
        if sizes(args.edits):
            edits = {}
            for n in sizes(args.edits):
                started = time.perf_counter()
                edits[n] = bench_edits(n, args.repeat, Path(tmp) / f"edits{n}")
                print(f"[edits at {n:,} entries: {time.perf_counter() - started:.0f} s]", file=sys.stderr, flush=True)
            print("\n" + edit_table(edits), flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
