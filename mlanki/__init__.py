"""mlanki: Markdown question-and-answer collections to Anki decks that update in place.

Call it from Python::

    from mlanki.build import build
    result = build("source", "build")      # same as `mlanki build`
    print(result.summary())

The pipeline is one module per step: ``syntax`` (mistune with line numbers) ->
``parse`` (tokens to frozen ``entries``) -> ``mapping`` (entries to notes) ->
``identity`` (GUIDs, mod times, versions in the record file) -> ``package``
(deterministic .apkg). ``build`` runs the steps; ``cli`` is a thin click layer.
"""

from __future__ import annotations

__version__ = "0.1.0"


def code_fingerprint() -> str:
    """A hash of mlanki's own code and templates: caches made by other code are never reused."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        import hashlib
        from pathlib import Path

        digest = hashlib.sha256(__version__.encode())
        package = Path(__file__).parent
        for path in sorted([*package.rglob("*.py"), *package.glob("templates/*")]):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        _FINGERPRINT = digest.hexdigest()
    return _FINGERPRINT


_FINGERPRINT: str | None = None
