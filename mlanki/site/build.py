"""``build_site``: the published packages and changelog -> ``OUTPUT/site/`` (static, self-contained).

    packages in OUTPUT (build them if there are none) -> each deck as Anki renders it -> pages -> site/

Call it from Python like the command line does::

    from mlanki.site.build import build_site
    result = build_site()                    # source/ and build/ (or setup.cfg [mlanki])
    result = build_site("notes/", "out/")    # writes out/site/
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from mlanki.errors import MlankiError
from mlanki.settings import Settings
from mlanki.site.packages import Published, find_published

SITE_FOLDER = "site"
PAGE_SIZE = 100          # cards per deck page: a 10k-card deck stays a set of small, fast pages
MISSING_ANKI = "mlanki site needs Anki's renderer: pip install 'mlanki[site]' (the anki and jinja2 packages)"


@dataclass(frozen=True)
class SiteDeck:
    name: str
    slug: str
    version: str
    cards: int
    pages: int


@dataclass
class SiteResult:
    folder: Path
    decks: list[SiteDeck] = field(default_factory=list)
    math: bool = False        # MathJax available (from aqt): packaged when a page has math
    diagnostics: list = field(default_factory=list)   # the warnings of the build made for missing packages

    def summary(self) -> str:
        lines = [f"{d.name} {d.version}: {d.cards} cards on {d.pages} page{'s' * (d.pages != 1)}" for d in self.decks]
        lines.append(f"Site: {self.folder / 'index.html'}" + ("" if self.math else " (math left as TeX: no MathJax)"))
        return "\n".join(lines)


def require_renderer() -> None:
    """Fail with one line, not a traceback, when the ``site`` extra is not installed."""
    try:
        import anki.collection  # noqa: F401
        import jinja2  # noqa: F401
    except ImportError:
        raise MlankiError(MISSING_ANKI) from None


def build_site(source: str | Path | None = None, output: str | Path | None = None, *,
               settings: Settings | None = None) -> SiteResult:
    """Write ``OUTPUT/site/`` from the packages and CHANGELOG.md in OUTPUT, building them first if missing.

    The new site replaces the old one only once it is complete.
    """
    require_renderer()
    if settings is None:
        from mlanki.api import settings_for

        settings = settings_for(source, output)
    published, diagnostics = find_published(settings.output), []
    if not published:
        from mlanki.build import build

        diagnostics = build(settings=settings).diagnostics
        published = find_published(settings.output)
    if not published:
        raise MlankiError(f"{settings.output}: no .apkg packages to publish")

    from mlanki.site import pages
    from mlanki.site.mathjax import copy_mathjax, find_mathjax

    final = settings.output / SITE_FOLDER
    staging = settings.output / f".{SITE_FOLDER}-staging"
    shutil.rmtree(staging, ignore_errors=True)
    result = SiteResult(final, diagnostics=diagnostics)
    try:
        result.math = find_mathjax() is not None
        _write_static(staging / "static")
        changelog = read_changelog(settings.output)
        decks = [_write_deck(deck, staging, result.math, changelog) for deck in published]
        if result.math and any(card.has_math for deck in decks for card in deck.view.cards):
            copy_mathjax(staging / "static")
        pages.write_index(staging, decks, changelog)
        result.decks = [SiteDeck(d.name, d.slug, d.version, d.card_count, d.page_count) for d in decks]
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(final, ignore_errors=True)
    staging.rename(final)
    return result


def _write_deck(published: Published, site: Path, math: bool, changelog: str):
    from mlanki.site import pages
    from mlanki.site.cards import read_package

    folder = site / published.slug
    view = read_package(published.latest, folder / "media")
    deck = deck_pages(published, view, copy_downloads(published, site / "downloads"), changelog)
    pages.write_deck(folder, deck, math)
    return deck


def deck_pages(published: Published, view, downloads: list[tuple[str, str]], changelog: str):
    """The deck laid out as pages of PAGE_SIZE cards."""
    from mlanki.site import pages

    return pages.DeckPages(published.slug, view, published.version or _version_in(view.description),
                           downloads, pages.changelog_of(changelog, view.name), PAGE_SIZE)


def copy_downloads(published: Published, folder: Path, copy=shutil.copyfile) -> list[tuple[str, str]]:
    """Copy the packages beside the pages (a static host serves only the site); (label, site path) pairs."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [("latest", published.latest)] + list(published.versions)
    for _label, path in files:
        copy(path, folder / path.name)
    return [(label, f"downloads/{path.name}") for label, path in files]


def static_files():
    """(name, bytes) of each file of the site's ``static/`` folder."""
    for item in resources.files("mlanki.site").joinpath("static").iterdir():
        if item.is_file():
            yield item.name, item.read_bytes()


def _write_static(static: Path) -> None:
    static.mkdir(parents=True)
    for name, data in static_files():
        (static / name).write_bytes(data)


def _version_in(description: str) -> str:
    import re

    match = re.search(r"Version (\d+\.\d+\.\d+)", description)
    return match[1] if match else "unknown"


def read_changelog(output: Path) -> str:
    path = output / "CHANGELOG.md"
    return path.read_text(encoding="utf-8") if path.is_file() else ""

