"""Helpers for the site tests: build a site from a throwaway copy of a source, open it in real Chromium.

The browser is Debian's headless chromium driven by playwright (never a downloaded browser); every
request a page makes and every console error is recorded, so tests can prove a page is self-contained.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FIXTURE = Path(__file__).resolve().parent / "site_fixture"
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]


def copy_source(source: Path, folder: Path) -> Path:
    """A copy of a source file or folder in ``folder/source``, so builds never write into the repository."""
    target = folder / "source"
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.mkdir(parents=True)
        shutil.copy(source, target / source.name)
    return target


@dataclass
class Opened:
    """A page and what it did: requests made (URLs) and console errors / uncaught exceptions."""

    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Browser:
    """One headless chromium for a test session; ``open`` gives a fresh page with recorders attached."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self.profile = tempfile.mkdtemp(prefix="mlanki-chromium-")
        self.playwright = sync_playwright().start()
        self.context = self.playwright.chromium.launch_persistent_context(
            self.profile, executable_path=os.fspath(CHROMIUM), headless=True, args=CHROME_ARGS)
        # Each page starts with no stored choice (night mode is remembered in localStorage).
        self.context.add_init_script("try { localStorage.clear(); } catch (e) {}")

    def open(self, path: Path, width: int = 1280, dark: bool = False) -> Opened:
        page = self.context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme="dark" if dark else "light")
        opened = Opened(page)
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on("console", lambda message: message.type == "error" and opened.errors.append(message.text))
        page.on("pageerror", lambda error: opened.errors.append(str(error)))
        # Anything that is not a local file is refused outright, and recorded above all the same.
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else route.abort())
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        page.evaluate("window.MathJax && MathJax.startup && MathJax.startup.promise ? MathJax.startup.promise : 0")
        return opened

    def close(self) -> None:
        self.context.close()
        self.playwright.stop()
        shutil.rmtree(self.profile, ignore_errors=True)


def start_browser() -> Browser:
    """The session's browser, or a skip that says what is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"site browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("site browser tests need the playwright python package (pip install -e '.[test]')")
    return Browser()
