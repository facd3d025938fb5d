"""Markdown sources to a ``Deck`` of ``Entry``s, following the maintainer's conventions.

The stages, one module each (SOURCE-FORMAT.md describes the conventions they read):

- ``deck``: the parse of one file, step by step (front matter, chunks, style, sections, entries);
- ``stream``: the file as chunks, parsed on first use and reused from the entry cache;
- ``sections``: headings and their bodies, the deck's title, topics;
- ``lines``: a paragraph read line by line, as the maintainer writes it;
- ``entry``: one question section to an entry (cloze, multiple choice, basic answer);
- ``options``: where multiple-choice options stand in a body;
- ``fields``: an entry's parts as card HTML and as the author's Markdown;
- ``findings``: diagnostics, and lint notices only ``mlanki check`` shows.
"""

from __future__ import annotations

from pathlib import Path

from mlanki.chunks import EntryCache
from mlanki.entries import Deck
from mlanki.parse.deck import DeckParser
from mlanki.progress import Progress, no_progress
from mlanki.render import MediaFiles
from mlanki.settings import Settings
from mlanki.sources import display_path

_DeckParser = DeckParser  # the name tests patch


def parse_text(text: str, file: str, settings: Settings | None = None,
               source_dir: Path | None = None, media: MediaFiles | None = None, lint: bool = False) -> Deck:
    """Parse one Markdown source into a Deck. Never raises on any text; problems become diagnostics.

    With ``lint`` the deck also carries ``notices``: findings only ``mlanki check`` reports.
    """
    source_dir = source_dir or Path(".")
    return DeckParser(file, settings or Settings(), source_dir, media or MediaFiles(source_dir), lint).parse(text)


def parse_file(path: Path, text: str, settings: Settings, media: MediaFiles, lint: bool = False,
               progress: Progress = no_progress, cache: EntryCache | None = None) -> Deck:
    """Parse the already-read ``text`` of ``path``; locations are shown relative to the working folder.

    With a ``cache``, chunks whose text (and context) did not change since it was filled are reused.
    """
    parser = DeckParser(display_path(path), settings, path.parent, media, lint, cache)
    parser.progress = progress
    return parser.parse(text)
