"""Rendered-math copy damage repaired in an entry's prose lines (``mlanki.mathfix`` finds it).

Each repaired double becomes an inline math token, so the card shows the formula once through
MathJax, and ``mlanki check`` lists the repair. The ``math_repair`` setting turns this off.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

from mlanki import mathfix
from mlanki.parse.findings import Findings
from mlanki.parse.lines import Line, Para, items_of, raw_text, rewrite_lines
from mlanki.syntax import Token


def repair_math(items: list, heading: str, findings: Findings) -> tuple[list, dict[int, set[str]]]:
    """``items`` with clear doubles replaced by math, and what was repaired on which line."""
    context = heading + " " + " ".join(raw_text(i) for i in items if isinstance(i, Para))
    if not mathfix.maybe_damaged(context):
        return items, {}  # nearly every entry: one search instead of a walk over its tokens
    repaired: dict[int, set[str]] = {}

    def repair(line: Line) -> Line:
        tokens = [t for token in line.tokens for t in _repaired(token, context, line.line, repaired, findings)]
        return line if len(tokens) == len(line.tokens) else Line(tokens, line.line, line.wrapped)
    return rewrite_lines(items, repair), repaired


def _repaired(token: Token, context: str, line: int, repaired: dict[int, set[str]], findings: Findings) -> list[Token]:
    if token["type"] != "text" or "&" in token["raw"]:
        return [token]
    raw = token["raw"]
    found = mathfix.repairs(raw, context)
    if not found:
        return [token]
    out, at = [], 0
    for fix in found:
        if fix.start > at:
            out.append(dict(token, raw=raw[at:fix.start]))
        out.append({"type": "inline_math", "raw": fix.tex})
        at = fix.end
        repaired.setdefault(line, set()).add(fix.said)
        source = findings.lines[line - 1] if 0 < line <= len(findings.lines) else ""
        findings.notice(line, f"repaired copy-pasted math: '{fix.said}' is shown as \\({fix.tex}\\)", "math-repair",
                        source.find(fix.said) + 1, "check the card; set math_repair = false to keep the text as written")
    if at < len(raw):
        out.append(dict(token, raw=raw[at:]))
    return out


# Pages written for GitHub show formulas as images of a math-rendering service, the TeX in the URL.
# Cards never load remote images (they would become bare links to the URL), so the TeX is shown as math.
_MATH_IMAGE_URL = re.compile(
    r"^https?://(?:render\.githubusercontent\.com/render/math\?(?:[^#]*&)?math="
    r"|latex\.codecogs\.com/(?:svg|png|gif)(?:\.(?:latex|image))?\?"
    r"|chart\.googleapis\.com/chart\?(?:[^#]*&)?chl=)(?P<tex>[^&#]+)", re.IGNORECASE)
_IMG_TAG = re.compile(r"""^\s*<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>\s*$""", re.IGNORECASE)


def math_images(items: list, findings: Findings) -> list:
    """``items`` with images of a math-rendering service (``<img src="…/render/math?math=\\beta">``)
    replaced by that TeX as math, each listed by ``mlanki check``."""
    def inline(token: Token, line: int, display: bool = False) -> Token:
        tex = _math_image_tex(token)
        if tex is None:
            return dict(token, children=[inline(t, line) for t in token["children"]]) if "children" in token else token
        findings.notice(line, f"image of a formula shown as math: \\({tex}\\)", "math-image",
                        hint="write the formula as $...$ to keep it as text")
        return {"type": "block_math" if display else "inline_math", "raw": tex}

    def line_rewrite(line: Line) -> Line:
        alone = len([t for t in line.tokens if t["type"] != "text" or t["raw"].strip()]) == 1  # display math
        tokens = [inline(t, line.line, alone) for t in line.tokens]
        return line if all(a is b for a, b in zip(tokens, line.tokens)) else Line(tokens, line.line, line.wrapped)

    out = []
    for item in rewrite_lines(items, line_rewrite):
        if isinstance(item, dict) and item["type"] == "block_html" and _math_image_tex(item) is not None:
            item = {"type": "paragraph", "line": item.get("line", 0),
                    "children": [inline(item, item.get("line", 0), display=True)]}
            out.extend(items_of([item]))
        elif isinstance(item, dict) and "children" in item:
            out.append(inline(item, item.get("line", 0)))
        else:
            out.append(item)
    return out


def _math_image_tex(token: Token) -> str | None:
    """The TeX of an image token (Markdown or HTML) pointing at a math-rendering service, else None."""
    if token["type"] == "image":
        url = token.get("attrs", {}).get("url", "")
    elif token["type"] in ("inline_html", "block_html"):
        m = _IMG_TAG.match(token.get("raw", ""))
        url = html.unescape(m.group(1) or m.group(2)) if m else ""
    else:
        return None
    m = _MATH_IMAGE_URL.match(url)
    return unquote(m.group("tex")).strip() or None if m else None
