"""Front matter: a ``---`` YAML block at the top of a source, for per-file settings.

Only the ``mlanki:`` mapping is read (other tools' keys are left alone), plus ``title`` as the
deck name. The block is blanked out, not removed, so line numbers stay those of the file.
"""

from __future__ import annotations

import re

from mlanki.entries import ERROR, Diagnostic, Location
from mlanki.settings import PER_FILE, Settings, convert

_BLOCK = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(text: str, file: str, settings: Settings) -> tuple[str, Settings, str, list[Diagnostic]]:
    """(text with the block blanked, settings with the file's choices, deck title or "", problems)."""
    m = _BLOCK.match(text)
    if not m:
        return text, settings, "", []
    blanked = "\n" * m.group(0).count("\n") + text[m.end():]
    import yaml  # only files with front matter pay for it

    try:
        data = yaml.safe_load(m.group(1) or "") or {}
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        reason = getattr(problem, "problem", None) or "invalid YAML"
        return blanked, settings, "", [Diagnostic(Location(file, line), ERROR, f"front matter: {reason}",
                                                  code="front-matter")]
    if not isinstance(data, dict):
        return blanked, settings, "", [Diagnostic(Location(file, 2), ERROR,
                                                  "front matter must be key: value pairs", code="front-matter")]
    problems, chosen = [], {}
    options = data.get("mlanki") or {}
    if not isinstance(options, dict):
        options, problems = {}, [Diagnostic(Location(file, 2), ERROR, "front matter: mlanki: must hold key: value pairs",
                                            code="front-matter")]
    for key, raw in options.items():
        name = str(key).replace("-", "_")
        if name not in PER_FILE:
            problems.append(Diagnostic(Location(file, 2), ERROR, f"front matter: unknown mlanki setting {key!r}; "
                                       f"known: {', '.join(PER_FILE)}", code="front-matter"))
            continue
        try:
            chosen[name] = convert(name, raw)
        except ValueError as problem:
            problems.append(Diagnostic(Location(file, 2), ERROR, f"front matter: {key}: {problem}",
                                       code="front-matter"))
    title = data.get("title")
    return blanked, settings.with_flags(**chosen), str(title) if title else "", problems
