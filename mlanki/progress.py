"""A progress bar on stderr for long builds: only on a terminal, only after the first second."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

Progress = Callable[[str, int, int], None]
DELAY = 1.0
WIDTH = 30


def no_progress(step: str, done: int, total: int) -> None:
    """The default: builds called from Python or into a pipe stay quiet."""


class TerminalProgress:
    """``progress(step, done, total)`` draws ``step [#####.....] done/total`` once a build is slow."""

    def __init__(self, stream=None, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream or sys.stderr
        self.clock = clock
        self.started = clock()
        self.drawn = False

    def __call__(self, step: str, done: int, total: int) -> None:
        if self.clock() - self.started < DELAY or total <= 0:
            return
        filled = WIDTH * min(done, total) // total
        self.stream.write(f"\r{step:<10} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * (WIDTH + 40) + "\r")
            self.stream.flush()


def for_stderr() -> TerminalProgress | None:
    """A bar when stderr is a terminal, else None."""
    return TerminalProgress() if sys.stderr.isatty() else None
