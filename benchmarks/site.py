"""Benchmark ``mlanki site`` on a generated collection: build time, page weight, load time in Chromium.

    python benchmarks/site.py                 # 10k entries
    python benchmarks/site.py --entries 2000

Generates the source (``generate.py``), builds the packages, then times ``mlanki site`` in a child
process and reports the site's size, the heaviest deck page, and for the first deck page and the
heaviest one the load time in headless Debian chromium (median of 5 loads: navigation start to the
load event, and to MathJax having typeset the page when the page has math), plus the time a search
over every card takes (the cross-page index included). Not part of the tests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

LOAD = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  const nav = performance.getEntriesByType("navigation")[0];
  return [nav.loadEventEnd, performance.now()];
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlanki-site-bench-") as work:
        work = Path(work)
        (work / "src").mkdir()
        (work / "src" / "deck.md").write_text(generate(args.entries), encoding="utf-8")
        mlanki = [sys.executable, "-m", "mlanki"]
        subprocess.run(mlanki + ["build", "src", "-o", "out"], cwd=work, check=True, capture_output=True)
        started = time.perf_counter()
        done = subprocess.run(mlanki + ["site", "src", "-o", "out"], cwd=work, check=True, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        site = work / "out" / "site"
        print(done.stdout.strip())
        report(site, args.entries, elapsed)


def report(site: Path, entries: int, elapsed: float) -> None:
    files = [p for p in site.rglob("*") if p.is_file()]
    pages = sorted((p for p in files if p.suffix == ".html" and p.parent != site), key=lambda p: p.stat().st_size)
    size = lambda paths: sum(p.stat().st_size for p in paths)  # noqa: E731
    mathjax = [p for p in files if "mathjax" in p.parts]
    search = [p for p in files if p.name == "search.js"]
    print(f"entries: {entries}; mlanki site: {elapsed:.1f} s")
    print(f"site: {len(files)} files, {size(files) / 1e6:.1f} MB (packages {size([p for p in files if p.suffix == '.apkg']) / 1e6:.1f} MB, "
          f"MathJax {size(mathjax) / 1e6:.1f} MB, search index {size(search) / 1e6:.2f} MB)")
    print(f"deck pages: {len(pages)}, median {statistics.median(p.stat().st_size for p in pages) / 1e3:.0f} kB, "
          f"largest {pages[-1].stat().st_size / 1e3:.0f} kB")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        for page_path in (pages[0].parent / "index.html", pages[-1]):
            loads, ready = [], []
            for _ in range(5):
                page = browser.new_page()
                page.goto(page_path.as_uri())
                load, now = page.evaluate(LOAD)
                loads.append(load)
                ready.append(now)
                page.close()
            print(f"{page_path.relative_to(site)}: load event {statistics.median(loads):.0f} ms, "
                  f"typeset {statistics.median(ready):.0f} ms (median of 5)")
        page = browser.new_page()
        page.goto((pages[0].parent / "index.html").as_uri())
        started = time.perf_counter()
        page.fill("#site-search-box", "dropout")
        page.wait_for_function("document.getElementById('site-search-status').textContent.includes('other pages')")
        print(f"search 'dropout' over every card: {(time.perf_counter() - started) * 1000:.0f} ms "
              f"({page.inner_text('#site-search-status')})")
        browser.close()


if __name__ == "__main__":
    main()
