"""The library: what the ``mlanki`` commands do, as functions returning plain data.

Each function finds settings the way the command line does (``pyproject.toml [tool.mlanki]`` or
``setup.cfg [mlanki]`` from SOURCE or the working folder upward, or ``config=``); keyword arguments
given win over the file. ``import mlanki`` makes them available as ``mlanki.build``,
``mlanki.check``, ``mlanki.diff`` and ``mlanki.parse`` (see ``mlanki/__init__.py``)::

    import mlanki
    result = mlanki.build("source", "build")
    print(result.summary())
    for entry in mlanki.parse("source/ml-micro-learning.md").entries:
        print(entry.location, entry.question_text)
"""

from __future__ import annotations

from pathlib import Path

from mlanki.progress import Progress, no_progress
from mlanki.settings import Settings, load_settings


def settings_for(source=None, output=None, *, config=None, strict: bool | None = None,
                 jobs: int | None = None) -> Settings:
    """The settings a command run with these arguments uses (config file found from SOURCE or here)."""
    return load_settings(_path(source), config=_path(config), source=_path(source), output=_path(output),
                         strict=strict, jobs=jobs)


def build(source=None, output=None, *, config=None, strict: bool | None = None, release: str | None = None,
          allow_field_change: bool = False, previous=None, progress: Progress = no_progress):
    """Build one .apkg per Markdown file of ``source`` into ``output``, like ``mlanki build``.

    ``previous`` is a released .apkg whose notes the deck continues (``--previous``).
    Returns a ``BuildResult``; raises ``mlanki.errors.SourceError`` (its ``diagnostics`` say
    file:line what is wrong) or another ``MlankiError``, having written nothing.

    >>> result = mlanki.build("source", "build", release="1.2.0")   # doctest: +SKIP
    >>> result.decks[0].package                                        # doctest: +SKIP
    PosixPath('build/machine-learning-micro-learning-1.2.0.apkg')
    """
    from mlanki.build import build as run_build

    settings = settings_for(source, output, config=config, strict=strict)
    return run_build(settings=settings, version=release, allow_field_change=allow_field_change, previous=previous,
                     progress=progress)


def check(source=None, *, config=None, strict: bool | None = None, progress: Progress = no_progress,
          settings: Settings | None = None):
    """Every problem of the sources, as ``mlanki check`` finds it; writes nothing.

    ``settings`` (a ``Settings``), when given, is used instead of reading a config file; the
    other functions here take it too.

    Returns a ``CheckResult``: ``diagnostics`` (each with ``location``, ``level``, ``message``,
    ``hint``, ``code``), ``errors``, ``warnings`` and ``lint_count``.

    >>> [str(d) for d in mlanki.check("source").diagnostics][:1]     # doctest: +SKIP
    ['source/ml-micro-learning.md:17:209: warning: looks like copy-pasted math ...']
    """
    from mlanki.build import check_report

    settings = settings or settings_for(source, config=config, strict=strict)
    return check_report(settings=settings, progress=progress)


def diff(source=None, *, config=None, progress: Progress = no_progress, settings: Settings | None = None):
    """What the next build would change since the last release, per deck; writes nothing.

    >>> [plan.changed for plan in mlanki.diff("source")]             # doctest: +SKIP
    [['What is the purpose of dropout in neural networks?']]
    """
    from mlanki.build import diff as run_diff

    settings = settings or settings_for(source, config=config)
    return run_diff(settings=settings, progress=progress)


def parse(path, *, config=None):
    """The ``Deck`` of one Markdown file: its name, description and ``entries``; writes nothing.

    Never raises on the file's text: problems are in ``deck.diagnostics``. Each ``Entry`` holds
    the question as plain text (``question_text``) and every part as card HTML; ``mlanki.export``
    adds plain text for every part (``export.entry_record``).

    >>> deck = mlanki.parse("source/ml-micro-learning.md")            # doctest: +SKIP
    >>> deck.name, len(deck.entries), deck.entries[0].question_text   # doctest: +SKIP
    ('Machine Learning Micro-Learning', 19, 'How does KNN work for low and large values of K?')
    """
    from mlanki.errors import MlankiError

    if Path(path).is_dir():
        raise MlankiError(f"{path}: is a folder; mlanki.parse reads one file (mlanki.parse_all reads a folder)")
    (deck,) = parse_all(path, config=config)
    return deck


def parse_all(source=None, *, config=None, progress: Progress = no_progress, settings: Settings | None = None) -> list:
    """The ``Deck`` of every Markdown file of ``source`` (default: the configured source folder), sorted by path."""
    from mlanki.build import _find, read_and_parse
    from mlanki.errors import SourceError

    settings = settings or settings_for(source, config=config)
    decks, _media, diagnostics, _files = read_and_parse(_find(settings.source), settings, progress=progress)
    unreadable = [d for d in diagnostics if d.code == "unreadable"]
    if unreadable:
        raise SourceError(unreadable)
    return decks


def _path(value) -> Path | None:
    return Path(value) if value is not None else None
