"""CSS values in the author's ``style`` attributes, filtered: nothing loads, hides or overlays content.

nh3 keeps a ``style`` declaration by its property name alone, so ``background:url(http://…)``,
white-on-white text or ``margin:-9999px`` would reach the card. Here every declaration of an
allowed property must also have an allowed value:

- no ``url()``, ``image-set()``, ``var()``, ``calc()``, ``expression``, escapes or comments;
- colours are plain and opaque (hex, ``rgb()``, a basic name), and text stays readable: a colour
  needs a contrast of at least ``MIN_CONTRAST`` against the card's light and night backgrounds, or
  against the background the same element sets; a background against the card's text colours, or
  against the colour the same element sets;
- sizes, margins and padding are non-negative and bounded, so nothing grows over or pushes away the
  rest of the card; line heights are at least 1.

Anything else is dropped, one declaration at a time.
"""

from __future__ import annotations

import re

ALLOWED_PROPERTIES = frozenset({
    "color", "background", "background-color", "font-weight", "font-style", "text-decoration",
    "text-align", "max-width", "width", "height", "border", "padding", "margin", "line-height",
})
MIN_CONTRAST = 1.5
CARD_BACKGROUNDS = ("#ffffff", "#0d1117")   # card.css, light and night mode
CARD_TEXT = ("#1f2328", "#e6edf3")
_NAMED = {
    "black": "#000000", "white": "#ffffff", "red": "#ff0000", "green": "#008000", "blue": "#0000ff",
    "yellow": "#ffff00", "orange": "#ffa500", "purple": "#800080", "gray": "#808080", "grey": "#808080",
    "silver": "#c0c0c0", "navy": "#000080", "maroon": "#800000", "teal": "#008080", "olive": "#808000",
    "lime": "#00ff00", "aqua": "#00ffff", "fuchsia": "#ff00ff", "brown": "#a52a2a", "pink": "#ffc0cb",
    "darkred": "#8b0000", "darkgreen": "#006400", "darkblue": "#00008b", "crimson": "#dc143c",
}
_FORBIDDEN = re.compile(r"url|image|var\(|calc\(|attr\(|expression|env\(|[\\@<>{}!;]|/\*", re.IGNORECASE)
_KEYWORDS = {
    "font-weight": re.compile(r"normal|bold|bolder|lighter|[1-9]00"),
    "font-style": re.compile(r"normal|italic|oblique"),
    "text-decoration": re.compile(r"(?:none|underline|overline|line-through)(?: (?:underline|overline|line-through))*"),
    "text-align": re.compile(r"left|right|center|justify|start|end"),
}
_LENGTH = re.compile(r"(\d+(?:\.\d+)?|\.\d+)(px|em|rem|%|pt)?")
# Largest value per unit: for a box's size, and for spacing (margin, padding, border width).
_SIZE_LIMIT = {"px": 1200, "pt": 900, "em": 60, "rem": 60, "%": 100, None: 0}
_SPACING_LIMIT = {"px": 100, "pt": 75, "em": 5, "rem": 5, "%": 10, None: 0}
_BORDER_LIMIT = {"px": 10, "pt": 8, "em": 1, "rem": 1, "%": 0, None: 0}
_BORDER_STYLES = {"none", "solid", "dashed", "dotted", "double"}


def filter_style(value: str) -> str | None:
    """The declarations of a ``style`` attribute that are safe, as ``name: value; ...``; None if none is."""
    declarations = []
    for part in value.split(";"):
        name, colon, raw = part.partition(":")
        name, raw = name.strip().lower(), " ".join(raw.split()).lower()
        if colon and name in ALLOWED_PROPERTIES and raw and not _FORBIDDEN.search(raw):
            declarations.append((name, raw))
    found = dict(declarations)
    kept = [f"{name}: {raw}" for name, raw in declarations if _allowed(name, raw, found)]
    return "; ".join(kept) if kept else None


def _allowed(name: str, value: str, others: dict[str, str]) -> bool:
    if name in _KEYWORDS:
        return bool(_KEYWORDS[name].fullmatch(value))
    if name == "color":
        own = _rgb(others.get("background-color") or others.get("background") or "")
        return _readable(value, (own,) if own else CARD_BACKGROUNDS)
    if name in ("background", "background-color"):
        own = _rgb(others.get("color", ""))
        return _readable(value, (own,) if own else CARD_TEXT)
    if name in ("width", "height", "max-width"):
        return value == "auto" or _lengths(value, _SIZE_LIMIT, 1)
    if name in ("margin", "padding"):
        return value == "auto" and name == "margin" or _lengths(value, _SPACING_LIMIT, 4)
    if name == "line-height":
        m = _LENGTH.fullmatch(value)
        return value == "normal" or bool(m) and float(m.group(1)) >= (100 if m.group(2) == "%" else 1) \
            and float(m.group(1)) <= (500 if m.group(2) == "%" else 5 if m.group(2) in (None, "em", "rem") else 100)
    if name == "border":
        return _border(value)
    return False


def _lengths(value: str, limits: dict, most: int) -> bool:
    parts = value.split()
    for part in parts:
        m = _LENGTH.fullmatch(part)
        if not m or float(m.group(1)) > limits[m.group(2)]:
            return False
    return 1 <= len(parts) <= most


def _border(value: str) -> bool:
    """``border: <width> <style> <colour>`` in any order, each at most once, the width small."""
    seen = set()
    for part in value.split():
        kind = "style" if part in _BORDER_STYLES else "width" if _lengths(part, _BORDER_LIMIT, 1) \
            else "colour" if _rgb(part) else ""
        if not kind or kind in seen:
            return False
        seen.add(kind)
    return bool(seen)


def _readable(value: str, against: tuple) -> bool:
    colour = _rgb(value)
    return colour is not None and all(_contrast(colour, _rgb(other) if isinstance(other, str) else other)
                                      >= MIN_CONTRAST for other in against)


def _rgb(value: str) -> tuple[int, int, int] | None:
    """An opaque colour as (r, g, b); None for anything else (transparent, alpha, gradients, unknown names)."""
    value = _NAMED.get(value.strip(), value.strip())
    m = re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", value)
    if m:
        digits = m.group(1) if len(m.group(1)) == 6 else "".join(c * 2 for c in m.group(1))
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    m = re.fullmatch(r"rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)", value)
    if m and all(int(v) <= 255 for v in m.groups()):
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    return None


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two colours: 1 (the same) to 21 (black on white)."""
    def luminance(rgb):
        linear = [(c / 255) / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
