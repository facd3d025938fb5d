"""Hostile sources of about 10 MB: does ``mlanki build`` / ``mlanki check`` finish, and how fast?

Each case is one Markdown file an attacker or an unlucky paste could produce: a single 10 MB line,
200k tiny headings, lists and blockquotes nested 10k deep, a huge fence, a huge table, thousands of
clozes in one entry, enormous emphasis and link nesting, many images, front matter at its limits,
and a mix of them. For each, both commands run in a fresh process; the table gives the exit code
(0 or 1 are the only acceptable ones), wall time and peak RSS (``os.wait4``), and whether stderr
held a traceback or an error line not shaped ``file:line: ...``. Not part of the tests
(``tests/test_adversarial.py`` runs 1-2 MB versions for correctness only, never for speed).

    python benchmarks/adversarial.py                      # every case at 10 MB
    python benchmarks/adversarial.py --mb 2 --cases one_line,table
    python benchmarks/adversarial.py --write /tmp/hostile  # only write the sources

From Python: ``CASES`` (name -> function of a byte budget giving ``(text, files)``, ``files`` being
extra files to write beside the source, such as images) and ``write_case(name, size, folder)``.
Everything is deterministic (no randomness, no clock).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MB = 1024 * 1024
HEAD = "# **Hostile deck**\nAn introduction.\n\n## **Topic1: Hostile**\n\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
                    "0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082")
WORDS = ("gradient descent moves the weights against the gradient of the loss until it converges "
         "while the learning rate sets the size of each step and momentum smooths the path ")


def _fill(size: int, unit: str) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def one_line(size: int):
    """One answer line of ``size`` characters, no newline in it (identity keys, regexes, line splits)."""
    return HEAD + "#### What does one endless line do?\n" + _fill(size, WORDS) + "\n", {}


def one_line_question(size: int):
    """The question itself is the 10 MB line: it is the identity key, the Question field, the changelog entry."""
    return HEAD + "#### " + _fill(size, WORDS) + "?\nAn answer.\n", {}


def many_lines(size: int):
    """One answer of short lines with no blank line between (the maintainer's own style), 10 MB of them."""
    return HEAD + "#### What are all the points?\n" + "".join(f"Point {i} is short.\n" for i in range(size // 20)), {}


def headings(size: int):
    """About 200k tiny questions with one-word answers (10 MB / 50 bytes): a huge but honest deck."""
    count = size // 50
    return HEAD + "".join(f"#### Q{i:06d} what is it?\nA{i}.\n***\n" for i in range(count)), {}


def empty_headings(size: int):
    """Headings with no body at all, at every level: nothing is a card, everything is a placeholder."""
    levels = ("#", "##", "###", "####", "#####", "######")
    count = size // 12
    return HEAD + "".join(f"{levels[i % 6]} H{i}\n" for i in range(count)), {}


def nested_lists(size: int):
    """Lists nested 10k deep (``- - - …`` on a line), then blockquotes 10k deep, repeated to ``size``."""
    block = "#### How deep can it go, {i}?\n" + "- " * 10_000 + "bottom\n\n" + "> " * 10_000 + "deep\n\n" \
        + "".join("  " * min(i, 200) + "- item\n" for i in range(2_000)) + "***\n"
    return HEAD + "".join(block.replace("{i}", str(i)) for i in range(max(1, size // len(block)))), {}


def fence(size: int):
    """One fenced Python block of ``size`` bytes (past Pygments' bound), and many small ones under it."""
    code = _fill(size // 2, "def f(x):\n    return [x ** 2 for x in range(10)]  # (\n")
    small = "#### Small code {i}?\nHere:\n\n```python\n" + _fill(90_000, "x = [1, (2, {3: 4})]\n") + "\n```\n***\n"
    return HEAD + "#### Show the code?\nHere:\n\n```python\n" + code + "\n```\n***\n" \
        + "".join(small.replace("{i}", str(i)) for i in range(max(1, size // 2 // len(small)))), {}


def fence_unclosed(size: int):
    """A fence never closed: the rest of the file is code."""
    return HEAD + "#### And unclosed?\nHere:\n\n```c\n" + _fill(size, "int main(void) { return 0; } /* \n"), {}


def table(size: int):
    """One table of ``size`` bytes (about 300k rows of 3 cells)."""
    row = "| cell a | `code` b | **bold** c |\n"
    return HEAD + "#### What is in the table?\nThis:\n\n| A | B | C |\n|---|---|---|\n" \
        + row * (size // len(row)) + "\n", {}


def clozes(size: int):
    """Thousands of ``{{c1::…}}`` deletions in one entry, and ==marks== beyond the cloze number limit."""
    per = "{{c1::a cloze}} and "
    return HEAD + "#### Fill the gaps?\n" + per * (size // 2 // len(per)) + "end.\n***\n#### And marks?\n" \
        + "==mark== " * (size // 2 // 9) + "\n", {}


def emphasis(size: int):
    """Emphasis, links and brackets opened a million times and never (or all) closed."""
    quarter = size // 4
    return HEAD + "#### Emphasis?\n" + "*" * quarter + "x" + "*" * quarter + "\n***\n#### Links?\n" \
        + "[" * (quarter // 2) + "x" + "](y)" * (quarter // 8) + "\n***\n#### Mixed?\n" \
        + _fill(quarter, "**a *b [c `d") + "\n", {}


def images(size: int):
    """Tens of thousands of images: the same file, HTML ``<img>`` tags, remote ones, and missing ones."""
    unit = "![fig](fig.png) <img src=\"fig.png\" alt=\"f\"> ![r](https://example.org/x.png)\n"
    body = unit * (size // len(unit))
    return HEAD + "#### Which figures?\n" + body + "***\n#### And a missing one?\n![gone](missing.png)\n", \
        {"fig.png": PNG}


def front_matter(size: int):
    """Front matter just under its 64 KB limit (many keys, a long title) then a body of many entries; and
    the same file with the block over the limit is another case."""
    keys = "".join(f"other_tool_key_{i}: {'v' * 40}\n" for i in range(1_000))
    block = f"---\ntitle: {'T' * 150}\nmlanki:\n  question_style: heading\n{keys}---\n"
    return block + HEAD + _entries(size - len(block)), {}


def front_matter_over(size: int):
    """Front matter over its limit, deeply nested: refused with a line, never parsed."""
    block = "---\nx: " + "[" * 100_000 + "]" * 100_000 + "\n---\n"
    return block + HEAD + _entries(size - len(block)), {}


def html(size: int):
    """Raw HTML nested 100k deep, and a script block of megabytes (dropped by the sanitiser)."""
    half = size // 2
    depth = half // 11 // 2
    return HEAD + "#### Which markup?\n<div>" + "<span><b>" * depth + "x" + "</b></span>" * depth + "</div>\n***\n" \
        + "#### And a script?\n<p>ok</p><script>" + _fill(half, "alert(1);") + "</script>\n", {}


def _entries(size: int) -> str:
    entry = "#### Question {i} about gradients?\nThe answer {i}: " + WORDS + "\n***\n"
    return "".join(entry.format(i=i) for i in range(max(1, size // len(entry))))


def mix(size: int):
    """A slice of every other case in one file."""
    parts, files = [], {}
    others = [c for n, c in CASES.items() if n not in ("mix", "front_matter", "front_matter_over", "fence_unclosed")]
    for case in others:
        text, extra = case(size // len(others))
        parts.append(text[len(HEAD):])
        files.update(extra)
    return HEAD + "\n***\n".join(parts), files


CASES = {c.__name__: c for c in (one_line, one_line_question, many_lines, headings, empty_headings, nested_lists, fence, fence_unclosed, table,
                                 clozes, emphasis, images, front_matter, front_matter_over, html, mix)}


def write_case(name: str, size: int, folder: Path) -> Path:
    """``folder/source/<name>.md`` (and its extra files); returns the source folder."""
    text, files = CASES[name](size)
    source = folder / "source"
    source.mkdir(parents=True, exist_ok=True)
    (source / f"{name}.md").write_text(text, encoding="utf-8")
    for file, data in files.items():
        (source / file).write_bytes(data)
    return source


_TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\w+(?:Error|Exception): ", re.MULTILINE)
_ERROR_LINE = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+)(?::\d+)?: error: ", re.MULTILINE)


def shape_problems(stderr: str) -> list[str]:
    """What is wrong with a command's stderr: a traceback, or an error line without ``file:line:``."""
    problems = ["traceback"] if _TRACEBACK.search(stderr) else []
    for line in stderr.splitlines():
        if re.search(r"\berror: ", line) and not _ERROR_LINE.match(line) and not line.startswith("Error: "):
            problems.append(f"unshaped: {line[:100]}")
            break
    return problems


def run(argv: list[str], cwd: Path, timeout: float) -> tuple[int, float, float, float, str]:
    """(exit code, wall s, CPU s, peak RSS MB, stderr) of ``argv`` in a fresh process; -9 when it ran past
    ``timeout``. CPU time (user + system) is the figure to compare on a shared machine."""
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", PYTHONDONTWRITEBYTECODE="1")
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                _pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - start
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    return os.waitstatus_to_exitcode(status), wall, cpu, usage.ru_maxrss / 1024, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=10.0, help="size of each source (default 10)")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a command is killed")
    parser.add_argument("--write", type=Path, help="only write the sources into this folder")
    args = parser.parse_args()
    size = int(args.mb * MB)
    names = [n for n in args.cases.split(",") if n]
    if args.write:
        for name in names:
            write_case(name, size, args.write / name)
        return
    print(f"| case ({args.mb:g} MB) | build: exit | wall | CPU | peak memory | check: exit | wall | CPU | peak memory "
          "| notes |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|", flush=True)
    for name in names:
        work = Path(tempfile.mkdtemp(prefix=f"mlanki-hostile-{name}-"))
        try:
            # Written by a child, so that this process stays small (a forked child inherits its peak RSS).
            subprocess.run([sys.executable, __file__, "--mb", str(args.mb), "--cases", name, "--write", str(work)],
                           check=True)
            folder = work / name
            cells, notes = [], []
            for command in ("build", "check"):
                code, wall, cpu, peak, err = run([sys.executable, "-m", "mlanki", command, "source", "-o", "out"]
                                            if command == "build" else
                                            [sys.executable, "-m", "mlanki", command, "source"], folder, args.timeout)
                cells += [str(code) if code >= 0 else "killed", f"{wall:.1f} s", f"{cpu:.1f} s", f"{peak:.0f} MB"]
                notes += [f"{command}: {p}" for p in shape_problems(err)]
                if code not in (0, 1):
                    notes.append(f"{command}: exit {code}: {err.strip().splitlines()[-1][:100] if err.strip() else ''}")
                first = _ERROR_LINE.search(err)
                if first and command == "build":
                    notes.append(err[first.start():].splitlines()[0][:90])
            print(f"| {name} | " + " | ".join(cells) + f" | {'; '.join(notes)} |")
            sys.stdout.flush()
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
