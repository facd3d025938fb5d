"""MathJax for the pages, taken from Anki desktop's own copy when the ``aqt`` wheel is installed.

The ``anki`` wheel has no MathJax; ``aqt`` ships MathJax 3 (the one Anki's reviewer uses). It is
found without importing aqt (which would need Qt): ``pip install --no-deps aqt==<anki version>``.
Without it pages leave math as the TeX the card holds (``\\(x^2\\)``), which stays readable.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

# The parts of MathJax a page loads: the TeX-to-CHTML bundle, its fonts, the assistive-MathML module.
_PARTS = ("tex-chtml-full.js", "output/chtml/fonts/woff-v2", "a11y/assistive-mml.js")
FOLDER = "mathjax"


def find_mathjax() -> Path | None:
    """The folder of aqt's MathJax, or None when aqt is not installed."""
    spec = importlib.util.find_spec("_aqt")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "data" / "web" / "js" / "vendor" / "mathjax"
        if (folder / _PARTS[0]).is_file():
            return folder
    return None


def copy_mathjax(static: Path) -> bool:
    """Copy MathJax into ``static/mathjax`` (only sites with math carry its 1.7 MB); False when not installed."""
    source = find_mathjax()
    if source is None:
        return False
    for part in _PARTS:
        origin, target = source / part, static / FOLDER / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, target, dirs_exist_ok=True)
        elif origin.is_file():
            shutil.copyfile(origin, target)
    return True
