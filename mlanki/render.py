"""Tokens to card HTML: math for Anki's MathJax, highlighted code, packaged images, sanitised.

Cards run in Anki's web view on desktop and phone, so everything that leaves this module has
been through ``sanitize`` (nh3, a maintained HTML sanitiser): no scripts, event handlers,
``javascript:`` URLs, iframes or forms, whatever the Markdown contained; CSS values filtered too
(``cssfilter``), and no image is ever loaded from the network: a remote image becomes a link.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import nh3
from mistune.core import BlockState
from mistune.plugins.formatting import render_strikethrough
from mistune.plugins.table import (
    render_table,
    render_table_body,
    render_table_cell,
    render_table_head,
    render_table_row,
)
from mistune.renderers.html import HTMLRenderer

from mlanki.cssfilter import ALLOWED_PROPERTIES, filter_style
from mlanki.entries import ERROR, Diagnostic, Location

_ALLOWED_TAGS = (nh3.ALLOWED_TAGS - {"nav", "footer", "header", "article", "aside", "map", "area"}) | {"mark"}
_ALLOWED_ATTRIBUTES = {
    "*": {"class", "style", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "details": {"open"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
_CLOZE = re.compile(r"\{\{c(\d+)::")
_HTML_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_HTML_IMG_SRC = re.compile(r"""(\bsrc\s*=\s*["'])([^"']*)(["'])""", re.IGNORECASE)
_HTML_IMG_ALT = re.compile(r"""\balt\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_REMOTE = re.compile(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:|[\\/]{2})")


def sanitize(fragment: str) -> str:
    """Keep harmless markup, drop anything that could run code, load from the network or hide content."""
    return nh3.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "form", "textarea", "select"},
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=_URL_SCHEMES,
        filter_style_properties=ALLOWED_PROPERTIES,
        link_rel="noopener noreferrer",
    )


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    """Per attribute: CSS values filtered, and an image source is never remote (it would load on review)."""
    if attribute == "style":
        return filter_style(value)
    if element == "img" and attribute == "src" and _REMOTE.match(value):
        return None
    if attribute in ("width", "height"):
        return value if filter_style(f"{attribute}: {value if value.strip()[-1:] in '%x' else value + 'px'}") else None
    return value


def remote_image_link(url: str, alt: str) -> str:
    """A remote image, as a link to it: the card shows where it is and never loads it."""
    return f'<a href="{html.escape(url)}">{html.escape(alt or url, quote=False)}</a>'


@dataclass
class MediaFiles:
    """Images a deck references: packaged name -> file on disk.

    Names carry a hash of the file's bytes, so two different files called ``fig.png`` in
    different folders never overwrite each other in Anki's single media folder.
    """

    root: Path
    files: dict[str, Path] = field(default_factory=dict)
    known: dict[tuple[Path, str], str] = field(default_factory=dict, repr=False)  # a figure used 10,000 times is read once

    def add(self, source_dir: Path, url: str) -> str:
        """The packaged name for ``url`` (relative to ``source_dir``); raises ValueError if unusable."""
        if (source_dir, url) not in self.known:
            self.known[source_dir, url] = self._read(source_dir, url)
        return self.known[source_dir, url]

    def _read(self, source_dir: Path, url: str) -> str:
        if _REMOTE.match(url):
            raise ValueError(f"remote image {url!r} is not packaged; it stays a link (download it next to the source to include it)")
        shown = url if len(url) <= 80 else url[:80] + "…"
        try:
            path = (source_dir / unquote(url)).resolve()  # mistune percent-encodes: my%20fig.png, <my fig.png>
            if not path.is_relative_to(self.root.resolve()):
                raise ValueError(f"image {shown!r} is outside the source folder; it was not read")
            if not path.is_file():
                raise ValueError(f"image {shown!r} not found")
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        except (OSError, RuntimeError) as problem:  # a name longer than the file system allows, a symlink loop
            reason = getattr(problem, "strerror", None) or "cannot be read"
            raise ValueError(f"image {shown!r} cannot be read: {reason}") from None
        name = f"mlanki-{digest}-{_shortened(path.name)}"
        self.files[name] = path
        return name

    def stamps(self, names) -> dict[str, tuple[str, int, int]]:
        """Where each packaged file came from (relative to the source folder) with its size and time,
        to tell later whether it changed; relative, so a moved or copied project still matches."""
        out = {}
        for name in names:
            path = self.files[name]
            stat = path.stat()
            out[name] = (str(path.relative_to(self.root.resolve())), stat.st_size, stat.st_mtime_ns)
        return out

    def still_valid(self, stamps: dict[str, tuple[str, int, int]]) -> bool:
        for relative, size, mtime in stamps.values():
            try:
                stat = (self.root / relative).stat()
            except OSError:
                return False
            if (stat.st_size, stat.st_mtime_ns) != (size, mtime):
                return False
        return True

    def restore(self, stamps: dict[str, tuple[str, int, int]]) -> None:
        """Files a reused entry packages, known again without reading them."""
        for name, (relative, _size, _mtime) in stamps.items():
            self.files[name] = (self.root / relative).resolve()


MAX_MEDIA_NAME = 120  # bytes: Anki shortens longer media names on import (and rewrites the fields)


def _shortened(name: str) -> str:
    """``name`` cut so that ``mlanki-<hash>-<name>`` fits Anki's media name limit, extension kept."""
    room = MAX_MEDIA_NAME - len("mlanki-123456789012-")
    if len(name.encode("utf-8")) <= room:
        return name
    stem, dot, suffix = name.rpartition(".")
    suffix = dot + suffix if dot and len(suffix) <= 10 else ""
    stem = name[:len(name) - len(suffix)]
    keep = stem.encode("utf-8")[:room - len(suffix.encode("utf-8"))].decode("utf-8", "ignore")
    return keep + suffix


class CardRenderer(HTMLRenderer):
    """mistune's HTML renderer with the few choices a flash card needs."""

    def __init__(self, source_dir: Path, media: MediaFiles, line_breaks: bool = True,
                 missing_media: str = ERROR) -> None:
        super().__init__(escape=False)
        self.source_dir = source_dir
        self.media = media
        self.line_breaks = line_breaks
        self.missing_media = missing_media
        self.location = Location("<text>", 0)
        self.diagnostics: list[Diagnostic] = []
        self.used_media: list[str] = []
        self.cloze_count = 0
        self.raw_html = False
        self.highlighted: dict[str, str] = {}  # placeholder -> Pygments block, until the field is finished
        for name, method in (
            ("table", render_table), ("table_head", render_table_head), ("table_body", render_table_body),
            ("table_row", render_table_row), ("table_cell", render_table_cell),
            ("strikethrough", render_strikethrough),
        ):
            self.register(name, method)

    # -- entry points --------------------------------------------------------------------
    def blocks(self, tokens: list[dict[str, Any]]) -> str:
        return self.render_tokens(tokens, BlockState()).strip()

    def inline(self, tokens: list[dict[str, Any]]) -> str:
        return self.render_tokens(tokens, BlockState()).strip()

    def finish(self, fragment: str) -> str:
        """A field's final HTML: sanitised when raw HTML from the source went into it.

        Markup that mistune writes itself is safe by construction (text escaped, URLs checked),
        so only fragments that carry the author's own HTML pay for the sanitiser.
        """
        highlighted, self.highlighted = self.highlighted, {}
        if self.raw_html:
            self.raw_html = False
            # Pygments' blocks are mlanki's own markup: kept as made, not put through the author's filter.
            for key, block in highlighted.items():
                fragment = fragment.replace(block, key)
            fragment = sanitize(fragment)
            for key, block in highlighted.items():
                fragment = fragment.replace(key, block)
        return fragment

    def inline_html(self, html_text: str) -> str:
        self.raw_html = True
        return self._package_html_images(html_text)

    def block_html(self, html_text: str) -> str:
        self.raw_html = True
        return self._package_html_images(html_text) + "\n"

    def _package_html_images(self, html_text: str) -> str:
        """``<img src="img/x.png">`` written as HTML is packaged like a Markdown image; a remote one
        becomes a link."""
        def swap(tag: re.Match) -> str:
            src = _HTML_IMG_SRC.search(tag.group(0))
            if not src:
                return tag.group(0)
            url = html.unescape(src.group(2))
            if _REMOTE.match(url):
                alt = _HTML_IMG_ALT.search(tag.group(0))
                return remote_image_link(url, html.unescape(alt.group(2)) if alt else "")
            name = self._media_name(url)
            return tag.group(0)[:src.start()] + src.group(1) + html.escape(name or url) + src.group(3) \
                + tag.group(0)[src.end():]
        return _HTML_IMG.sub(swap, html_text)

    def _media_name(self, url: str) -> str:
        """The packaged name of a local image, or "" (a remote image, or a problem reported here)."""
        try:
            name = self.media.add(self.source_dir, url)
        except ValueError as problem:
            if "remote image" not in str(problem):
                self.diagnostics.append(Diagnostic(self.location, self.missing_media, str(problem), code="image"))
            return ""
        self.used_media.append(name)
        return name

    # -- line structure ------------------------------------------------------------------
    def softbreak(self) -> str:
        # The Micro-Learning maintainer writes one point per line: keep the lines.
        return "<br>\n" if self.line_breaks else "\n"

    def linebreak(self) -> str:
        return "<br>\n"

    # -- math: Anki's MathJax reads \( \) and \[ \] -------------------------------------
    def inline_math(self, text: str) -> str:
        return r"\(" + html.escape(text, quote=False) + r"\)"

    def block_math(self, text: str) -> str:
        # A span, not a div: display math also stands inside paragraphs; MathJax lays it out as a block.
        return r'<span class="mlanki-math">\[' + html.escape(text, quote=False) + r"\]</span>"

    # -- code ----------------------------------------------------------------------------
    def block_code(self, code: str, info: str | None = None) -> str:
        language = (info or "").strip().split(None, 1)[0] if (info or "").strip() else ""
        if language:
            from mlanki.highlight import highlight  # pygments only when a deck has code

            highlighted = highlight(code, language)
            if highlighted:
                self.highlighted["mlanki-code-" + hashlib.sha256(highlighted.encode()).hexdigest()[:24]] = highlighted
                return highlighted
        return '<pre class="mlanki-code"><code>' + html.escape(code, quote=False) + "</code></pre>\n"

    # -- cloze: ==highlight== is a deletion --------------------------------------------------
    def mark(self, text: str) -> str:
        self.cloze_count += 1
        return "{{c%d::%s}}" % (self.cloze_count, text)

    def task_list_item(self, text: str, checked: bool = False) -> str:
        return '<li class="mlanki-task">' + ("\u2611 " if checked else "\u2610 ") + text + "</li>\n"

    # -- images ----------------------------------------------------------------------------
    def image(self, text: str, url: str, title: str | None = None) -> str:
        if _REMOTE.match(url):
            return remote_image_link(url, html.unescape(re.sub(r"<[^>]*>", "", text)))
        name = self._media_name(url)
        if not name:
            # Built with missing_media = warning: say so on the card instead of a broken-image icon.
            what = html.escape(text or url, quote=False)
            return f'<span class="mlanki-missing">image missing: {what}</span>'
        return super().image(text, name, title)

    def link(self, text: str, url: str, title: str | None = None) -> str:
        # In-page anchors (tables of contents, "back to top") lead nowhere on a card.
        if url.startswith("#"):
            return text
        return super().link(text, url, title)

    def next_cloze_from(self, fragment: str) -> None:
        """Number ==highlight== deletions after any explicit {{cN::}} already in the entry."""
        numbers = [int(n) for n in _CLOZE.findall(fragment)]
        self.cloze_count = max(numbers, default=0)
