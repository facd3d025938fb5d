"""Progress on stderr for slow commands, drawn with rich: only on a terminal, only after the first moment.

The pipeline reports each step as ``progress(step, done, total)``: counted steps ("parsing" per
chunk, "writing" per note) with their counts, uncounted ones (``total`` 0) as a spinner with the
step's name, so the display never sits still on a finished count while matching or saving runs.
Before the first report it says what the command is doing ("reading sources").
Builds called from Python, into a pipe or with ``-q`` get :func:`no_progress` and stay silent.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

Progress = Callable[[str, int, int], None]
DELAY = 0.5  # seconds before anything is drawn: quick commands never flicker
_REDRAW = 0.05  # seconds between updates of the same step (rich redraws 10 times a second)

# Uncounted steps that can take seconds on a large deck.
MATCHING = "checking and matching entries to the record"
SAVING = "saving the record, changelog and caches"


def no_progress(step: str, done: int, total: int) -> None:
    """The default: builds called from Python or into a pipe stay quiet."""


class TerminalProgress:
    """``progress(step, done, total)`` shown as a rich progress bar, cleared when the command ends."""

    def __init__(self, first_step: str = "reading sources", console=None, delay: float = DELAY) -> None:
        self.console = console
        self.state = (first_step, 0, 0)
        self.bar = None
        self.task = None
        self.lock = threading.Lock()
        self.closed = False
        self.timer = None
        self.shown_at = 0.0
        if delay <= 0:
            self._start()
        else:
            self.timer = threading.Timer(delay, self._start)
            self.timer.daemon = True
            self.timer.start()

    def __call__(self, step: str, done: int, total: int) -> None:
        changed_step = step != self.state[0]
        self.state = (step, done, total)
        now = time.monotonic()
        if self.bar is not None and (changed_step or now - self.shown_at >= _REDRAW):
            self.shown_at = now
            self._show()

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self.lock:
            if self.closed:
                return
            console = self.console or Console(stderr=True)
            self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                TextColumn("{task.fields[count]}"), TimeElapsedColumn(),
                                console=console, transient=True, redirect_stdout=False, redirect_stderr=False)
            self.task = self.bar.add_task("", total=None, count="")
            self.bar.start()
        self._show()

    def _show(self) -> None:
        step, done, total = self.state
        with self.lock:
            if self.bar is None or self.closed:
                return
            if total > 0:
                self.bar.update(self.task, description=step, completed=done, total=total, count=f"{done}/{total}")
            else:
                self.bar.update(self.task, description=step, completed=0, total=None, count="")

    def close(self) -> None:
        """Stop drawing and clear the bar (before the command prints its results)."""
        with self.lock:
            self.closed = True
            if self.timer is not None:
                self.timer.cancel()
            if self.bar is not None:
                self.bar.stop()


def for_stderr(first_step: str = "reading sources", quiet: bool = False) -> TerminalProgress | None:
    """A progress display when stderr is a terminal (and not ``quiet``), else None."""
    if quiet or not sys.stderr.isatty():
        return None
    return TerminalProgress(first_step)
