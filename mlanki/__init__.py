"""mlanki: Markdown question-and-answer collections to Anki decks that update in place.

Call it from Python::

    import mlanki
    result = mlanki.build("source", "build")        # same as `mlanki build source -o build`
    print(result.summary())
    for entry in mlanki.parse("source/ml-micro-learning.md").entries:
        print(entry.location, entry.question_text)

``mlanki.build``, ``mlanki.check``, ``mlanki.diff``, ``mlanki.parse`` and ``mlanki.parse_all`` are
the functions of :mod:`mlanki.api` (each with an example). ``build``, ``check`` and ``parse`` are
also the names of pipeline modules, which the package keeps (``from mlanki import check`` still
gives the lint rules): those modules are made callable, and calling one calls its API function.
Nothing is imported until first used, so ``import mlanki`` stays cheap. A new command's library
function (``mlanki.sync``) goes into ``api``, its name into ``_CALLABLE_MODULES`` when a module of
that name exists (``mlanki/sync/``), else into ``_API_ONLY``.

The pipeline is one module per step: ``syntax`` (mistune with line numbers) ->
``parse`` (tokens to frozen ``entries``) -> ``mapping`` (entries to notes) ->
``identity`` (GUIDs, mod times, versions in the record file) -> ``package``
(deterministic .apkg). ``build`` runs the steps; ``cli`` is a thin click layer over ``api``.
"""

from __future__ import annotations

import sys
import types

__version__ = "0.1.0"

_CALLABLE_MODULES = ("build", "check", "parse")   # modules whose call is mlanki.api.<name>
_API_ONLY = ("diff", "parse_all")


class _CallableModule(types.ModuleType):
    """A pipeline module that, called, runs the API function of the same name (``mlanki.build(...)``)."""

    def __call__(self, *args, **kwargs):
        from mlanki import api

        return getattr(api, self.__name__.rpartition(".")[2])(*args, **kwargs)


class _Package(types.ModuleType):
    """The ``mlanki`` package: a submodule named like an API function becomes callable when imported."""

    def __setattr__(self, name: str, value) -> None:
        if name in _CALLABLE_MODULES and type(value) is types.ModuleType:
            value.__class__ = _CallableModule
        super().__setattr__(name, value)


def __getattr__(name: str):
    if name in _CALLABLE_MODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    if name in _API_ONLY:
        from mlanki import api

        return getattr(api, name)
    raise AttributeError(f"module 'mlanki' has no attribute {name!r}")


sys.modules[__name__].__class__ = _Package


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
