"""Rendered-math copy damage repaired in an entry's prose lines (``mlanki.mathfix`` finds it).

Each repaired double becomes an inline math token, so the card shows the formula once through
MathJax, and ``mlanki check`` lists the repair. The ``math_repair`` setting turns this off.
"""

from __future__ import annotations

from mlanki import mathfix
from mlanki.parse.findings import Findings
from mlanki.parse.lines import Line, Para, raw_text, rewrite_lines
from mlanki.syntax import Token


def repair_math(items: list, heading: str, findings: Findings) -> tuple[list, dict[int, set[str]]]:
    """``items`` with clear doubles replaced by math, and what was repaired on which line."""
    context = heading + " " + " ".join(raw_text(i) for i in items if isinstance(i, Para))
    if not mathfix.maybe_damaged(context):
        return items, {}  # nearly every entry: one search instead of a walk over its tokens
    repaired: dict[int, set[str]] = {}

    def repair(line: Line) -> Line:
        tokens = [t for token in line.tokens for t in _repaired(token, context, line.line, repaired, findings)]
        return line if len(tokens) == len(line.tokens) else Line(tokens, line.line)
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
