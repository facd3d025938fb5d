"""The progress bar: silent for quick builds and pipes, drawn on a terminal once a build is slow."""

from __future__ import annotations

import io

from mlanki.progress import TerminalProgress, for_stderr


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_is_drawn_during_the_first_second():
    stream, clock = io.StringIO(), FakeClock()
    bar = TerminalProgress(stream, clock)
    clock.now += 0.9
    bar("parsing", 10, 100)
    bar.close()
    assert stream.getvalue() == ""


def test_a_slow_build_draws_a_bar_and_clears_it():
    stream, clock = io.StringIO(), FakeClock()
    bar = TerminalProgress(stream, clock)
    clock.now += 1.5
    bar("writing", 50, 100)
    assert stream.getvalue() == "\rwriting    [###############...............] 50/100"
    bar.close()
    assert stream.getvalue().endswith("\r" + " " * 70 + "\r")


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert for_stderr() is None
