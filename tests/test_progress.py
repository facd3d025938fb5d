"""The progress display: silent for quick commands and pipes, drawn with rich on a terminal once slow."""

from __future__ import annotations

import io
import time

from click.testing import CliRunner
from rich.console import Console

import mlanki.progress
from mlanki.cli import cli
from mlanki.progress import MATCHING, SAVING, TerminalProgress, for_stderr


def terminal() -> tuple[Console, io.StringIO]:
    stream = io.StringIO()
    return Console(file=stream, force_terminal=True, width=100), stream


def test_nothing_is_drawn_when_the_command_ends_before_the_delay():
    console, stream = terminal()
    bar = TerminalProgress(console=console, delay=5.0)
    bar("parsing", 10, 100)
    bar.close()
    time.sleep(0.05)
    assert stream.getvalue() == ""


def test_a_slow_step_is_drawn_with_its_count_and_cleared_at_the_end():
    console, stream = terminal()
    bar = TerminalProgress(console=console, delay=0)
    bar("parsing", 50, 100)
    bar.bar.refresh()
    assert "parsing" in stream.getvalue() and "50/100" in stream.getvalue()
    bar.close()
    assert "\x1b[2K" in stream.getvalue().rsplit("50/100", 1)[1], "the bar's line is erased (transient)"


def test_before_the_first_count_and_for_uncounted_steps_the_display_names_the_step():
    console, stream = terminal()
    bar = TerminalProgress("reading sources", console=console, delay=0)
    bar.bar.refresh()
    assert "reading sources" in stream.getvalue()
    bar("parsing", 9000, 10000)
    bar(MATCHING, 0, 0)  # uncounted: no stale 9000/10000 beside it
    bar.bar.refresh()
    after = stream.getvalue().rsplit("parsing", 1)[-1]
    assert MATCHING in after and "9000/10000" not in after.split(MATCHING, 1)[1]
    bar.close()


def test_the_display_starts_by_itself_after_the_delay():
    console, stream = terminal()
    bar = TerminalProgress("reading sources", console=console, delay=0.05)
    deadline = time.monotonic() + 5
    while bar.bar is None and time.monotonic() < deadline:
        time.sleep(0.01)
    bar.bar.refresh()
    bar.close()
    assert "reading sources" in stream.getvalue()


def test_no_display_when_stderr_is_not_a_terminal_or_quiet(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert for_stderr() is None

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", Tty())
    assert for_stderr(quiet=True) is None
    shown = for_stderr()
    assert isinstance(shown, TerminalProgress)
    shown.close()


def test_build_check_and_diff_report_their_steps(project, monkeypatch):
    """Every command hands its slow steps to the display: parsing for all, matching for those that match,
    writing and saving for build."""
    seen: dict[str, set[str]] = {}

    class Recorder:
        def __init__(self, first_step: str) -> None:
            self.steps = seen.setdefault(first_step + str(len(seen)), set())

        def __call__(self, step: str, done: int, total: int) -> None:
            self.steps.add(step)

        def close(self) -> None:
            pass

    monkeypatch.setattr(mlanki.progress, "for_stderr", lambda first_step, quiet=False: Recorder(first_step))
    for command in ("build", "check", "diff", "export"):
        assert CliRunner().invoke(cli, [command], catch_exceptions=False).exit_code == 0
    assert list(seen.values()) == [{"parsing", MATCHING, "writing", SAVING}, {"parsing", MATCHING},
                                   {"parsing", MATCHING}, {"parsing"}]
