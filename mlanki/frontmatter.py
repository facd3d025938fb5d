"""Front matter: a ``---`` YAML block at the top of a source, for per-file settings.

Only the ``mlanki:`` mapping is read (other tools' keys are left alone), plus ``title`` as the
deck name. The block is blanked out, not removed, so line numbers stay those of the file.

YAML is read with limits, since a source may come from anyone: no aliases (``*name``, the way to
a "billion laughs" expansion), at most ``MAX_BYTES`` and plain values only; a wrong value is named
with its key, the value and what is allowed.
"""

from __future__ import annotations

import re

from mlanki.entries import ERROR, Diagnostic, Location
from mlanki.settings import PER_FILE, Settings, convert
from mlanki.sources import control_message, find_unstorable

_BLOCK = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
MAX_BYTES = 64 * 1024
def _problem(file: str, line: int, message: str) -> Diagnostic:
    return Diagnostic(Location(file, line), ERROR, f"front matter: {message}", code="front-matter")


def _shown(value) -> str:
    """A value as the author wrote it (YAML-ish, short), never a Python repr of a structure."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _load(block: str):
    """``yaml.safe_load`` without aliases; raises yaml.YAMLError for anything it refuses."""
    import yaml  # only files with front matter pay for it

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed",
                                                  event.start_mark)
            return super().compose_node(parent, index)

    return yaml.load(block, Loader=Loader)  # noqa: S506 - a SafeLoader subclass


def split_front_matter(text: str, file: str, settings: Settings) -> tuple[str, Settings, str, list[Diagnostic]]:
    """(text with the block blanked, settings with the file's choices, deck title or "", problems)."""
    m = _BLOCK.match(text)
    if not m:
        return text, settings, "", []
    blanked = "\n" * m.group(0).count("\n") + text[m.end():]
    block = m.group(1) or ""
    if len(block.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return blanked, settings, "", [_problem(file, 2, f"the block is larger than {MAX_BYTES // 1024} KB; "
                                                "keep front matter to a few settings")]
    import yaml

    try:
        data = _load(block) or {}
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        reason = getattr(problem, "problem", None) or "invalid YAML"
        return blanked, settings, "", [_problem(file, line, reason)]
    except RecursionError:
        return blanked, settings, "", [_problem(file, 2, "nested too deeply")]
    if not isinstance(data, dict):
        return blanked, settings, "", [_problem(file, 2, "must be key: value pairs")]
    problems, chosen = [], {}
    options = data.get("mlanki") or {}
    if not isinstance(options, dict):
        options, problems = {}, [_problem(file, 2, "mlanki: must hold key: value pairs")]
    for key, raw in options.items():
        name = str(key).replace("-", "_")
        if name not in PER_FILE:
            problems.append(_problem(file, 2, f"unknown mlanki setting {_shown(key)}; known: {', '.join(PER_FILE)}"))
            continue
        if isinstance(raw, (dict, list)):
            problems.append(_problem(file, 2, f"{key}: {_shown(raw)} is not allowed; expected a single value"))
            continue
        try:
            chosen[name] = convert(name, raw)
        except ValueError as problem:  # convert says what is allowed
            problems.append(_problem(file, 2, f"{key}: {_shown(raw)} is not allowed; {problem}"))
    title, problem = _title(data.get("title"))
    if problem:
        problems.append(_problem(file, 2, problem))
    return blanked, settings.with_flags(**chosen), title, problems


def _title(value) -> tuple[str, str]:
    """The deck name from ``title``, or the problem with it."""
    if value is None or value == "":
        return "", ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return "", f"title: {_shown(value)} is not allowed; expected text"
    text = str(value)
    bad = find_unstorable(text)
    if bad:
        return "", f"title: {control_message(bad.group())}"
    return text.strip(), ""
