"""Save-to-visible latency of ``mlanki serve``: a saved edit, until the open page shows it.

    python benchmarks/serve_latency.py                 # 10k entries, 3 edits
    python benchmarks/serve_latency.py --entries 2000 --edits 5

Generates the source (``generate.py``), starts ``mlanki serve`` in a child process on a free port of
127.0.0.1, opens the first deck page in headless Debian chromium, then saves edits of the first
entry's answer (alternately edited and restored) and times from the write until the page, reloaded
by the live reload alone, shows the new text. The server's own lines say how the rebuild split
between the packages (``mlanki.build.build``) and the site (``LiveSite.update``: the kept collection,
rendering, the pages); the rest of the latency is noticing the save and the page's reload. Not part
of the tests.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

MARK = " Revised for the latency benchmark."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlanki-serve-bench-") as work:
        work = Path(work)
        source = work / "src" / "deck.md"
        source.parent.mkdir()
        text = generate(args.entries)
        source.write_text(text, encoding="utf-8")
        first = text.index("\nIn short, ")  # the first entry's last answer line: on the first deck page
        line_end = text.index("\n", first + 1)
        edited = text[:line_end] + MARK + text[line_end:]
        lines: list[str] = []
        started = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-m", "mlanki", "serve", "src", "-o", "preview", "--port", "0"],
                                  cwd=work, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=lambda: lines.extend(server.stderr), daemon=True).start()
        try:
            url = wait_for(lambda: next((m[1] for m in map(re.compile(r"Serving (\S+)").search, lines) if m), None), 600)
            print(f"{args.entries:,} entries: first build and site {time.perf_counter() - started:.1f} s; "
                  f"{next(line.strip() for line in lines if line.startswith('built'))}")
            measure(url, work, source, [edited, text], args.edits, lines)
        finally:
            server.terminate()
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()


def measure(url: str, work: Path, source: Path, variants: list[str], edits: int, lines: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    deck = next((work / "preview" / "build" / "site").glob("*/index.html"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(url + f"{deck.parent.name}/index.html")
        latencies, rest = [], []
        for i in range(edits):
            variant = variants[i % 2]
            wanted = "true" if MARK in variant else "false"
            built = len(lines)
            saved = time.perf_counter()
            source.write_text(variant, encoding="utf-8")
            page.wait_for_function(f"!!document.body && document.body.innerText.includes({MARK.strip()!r}) === {wanted}",
                                   timeout=600_000, polling=20)
            latencies.append(time.perf_counter() - saved)
            page.wait_for_load_state("load")
            rebuild = wait_for(lambda: next((line.strip() for line in lines[built:] if line.startswith("built")), None), 60)
            rest.append(latencies[-1] - float(re.search(r"built in ([\d.]+) s", rebuild)[1]))
            print(f"edit {i + 1}: visible after {latencies[-1]:.2f} s; server: {rebuild}; "
                  f"noticing the save and reloading the page {rest[-1]:.2f} s")
        print(f"save-to-visible: median {statistics.median(latencies):.2f} s over {edits} edits (target ≤ 1 s); "
              f"outside the rebuild: median {statistics.median(rest):.2f} s")
        browser.close()


def wait_for(probe, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise TimeoutError("mlanki serve did not answer in time")


if __name__ == "__main__":
    main()
