"""``build``: the pipeline, one named step at a time, over plain data.

    read sources -> parse -> validate -> map to notes -> identity (record) -> write packages

Call it from Python like the command line does::

    from mlanki.build import build
    result = build()                                  # source/ -> build/
    result = build("notes/", "out/", strict=True)     # other folders, warnings are errors
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from mlanki import cache, publish
from mlanki.entries import ERROR, Deck, Diagnostic, Location
from mlanki.errors import MlankiError, SourceError
from mlanki.notetypes import NoteType, default_notetypes
from mlanki.progress import MATCHING, SAVING, Progress, no_progress
from mlanki.record import RECORD_NAME, Record
from mlanki.settings import Settings, load_settings
from mlanki.sources import display_path, find_sources, read_source

if TYPE_CHECKING:
    from mlanki.chunks import EntryCache
    from mlanki.identity import Plan
    from mlanki.render import MediaFiles

# The steps that parse, match and package (mistune, nh3, genanki, difflib) are imported inside the
# functions that run them, so a build with nothing to do answers before loading any of them.

CHANGELOG_NAME = "CHANGELOG.md"
_TOPICS_SHOWN = 30


@dataclass
class DeckResult:
    """What a build did for one deck."""

    name: str
    version: str
    previous: str | None
    package: Path
    latest: Path
    counts: dict[str, dict[str, int]]
    added: int = 0
    changed: int = 0
    retired: int = 0
    written: bool = True


@dataclass
class BuildResult:
    """What ``build`` did: one result per deck, and the findings of the build's own checks."""

    decks: list[DeckResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    up_to_date: bool = False
    notices: list[str] = field(default_factory=list)  # what identity recovered, repaired or started anew
    lint: list[Diagnostic] = field(default_factory=list)  # what ``mlanki check`` adds: counted, not printed

    def summary(self, all_topics: bool = False) -> str:
        """What a person reads after ``mlanki build``: per deck its file, state and notes per topic.

        Counts are notes, as ``mlanki diff`` and Anki's browser count them (each note gives one card).
        """
        lines = []
        for deck in self.decks:
            total = sum(sum(kinds.values()) for kinds in deck.counts.values())
            lines.append(f"{deck.name} {deck.version}: {deck.package} ({_state(deck)}, {plural(total, 'note')})")
            topics = list(deck.counts.items())
            shown = topics if all_topics else topics[:_TOPICS_SHOWN]
            for topic, kinds in shown:
                detail = ", ".join(f"{n} {kind}" for kind, n in kinds.items() if n)
                lines.append(f"  {topic or '(no topic)'}: {plural(sum(kinds.values()), 'note')} ({detail})")
            if len(shown) < len(topics):
                rest = sum(sum(k.values()) for _t, k in topics[len(shown):])
                lines.append(f"  ... and {plural(len(topics) - len(shown), 'more topic')} with "
                             f"{plural(rest, 'note')} (-v shows all)")
            if deck.written and deck.previous and (deck.added or deck.changed or deck.retired):
                lines.append(f"  changes: {deck.added} added, {deck.changed} changed, {deck.retired} retired")
        lines += [f"note: {notice}" for notice in self.notices]
        if self.up_to_date:
            lines.append("No content change: nothing written.")
        return "\n".join(lines)


@dataclass(frozen=True)
class CheckResult:
    """What ``mlanki check`` found: every diagnostic, and how many only linting finds."""

    diagnostics: list[Diagnostic]
    lint_count: int = 0  # findings of the lint rules (``mlanki build`` counts them too, without listing them)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> int:
        return len(self.diagnostics) - self.errors


def plural(count: int, noun: str) -> str:
    """``1 note``, ``2 notes``: no "1 cards" in any message."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _state(deck: DeckResult) -> str:
    if not deck.written:
        return "unchanged"
    if deck.previous is None:
        return "first release"
    if deck.previous != deck.version:
        return f"was {deck.previous}"
    return f"written, same notes as release {deck.version}"


def build(source: str | Path | None = None, output: str | Path | None = None, *, strict: bool | None = None,
          version: str | None = None, allow_field_change: bool = False, settings: Settings | None = None,
          notetypes: dict[str, NoteType] | None = None, now: int | None = None,
          progress: Progress = no_progress, previous: str | Path | None = None) -> BuildResult:
    """Build one .apkg per source file into the output folder; raises MlankiError on bad input.

    ``now`` (seconds) stamps notes that changed in this build; by default SOURCE_DATE_EPOCH or the clock.
    ``progress(step, done, total)`` is told how far the slow steps are. ``previous`` is a released
    .apkg (mlanki's or another tool's) whose notes' identities the deck takes over.
    """
    settings = settings or load_settings(source=_path(source), output=_path(output), strict=strict)
    notetypes = notetypes or default_notetypes()
    files = _find(settings.source)
    if settings.package_name and len(files) > 1:
        raise MlankiError(f"{settings.source}: {len(files)} sources make {len(files)} decks; "
                          f"an output file ({settings.package_name}.apkg) holds one: give a folder")
    with publish.project_lock(settings.output):
        publish.recover(settings.output, record_path_for(settings.source))
        return _build_locked(settings, files, notetypes, version, allow_field_change, now, progress, previous)


def _build_locked(settings: Settings, files: list[Path], notetypes: dict[str, NoteType], version: str | None,
                  allow_field_change: bool, now: int | None, progress: Progress,
                  previous: str | Path | None) -> BuildResult:
    """Plan everything, then stage every output and publish them in one transaction (``publish``)."""
    inputs = _inputs(settings, files)
    key = cache.settings_key(settings, version, allow_field_change, str(previous or ""),
                             sorted((k, nt.fields_hash, nt.look_hash) for k, nt in notetypes.items()))
    notes: list[str] = []
    cached = cache.load(settings.output, notes)
    if cache.is_current(cached, key, inputs, record_path_for(settings.source)):
        return _cached_result(cached)

    from mlanki.changelog import render_changelog
    from mlanki.chunks import CACHE_NAME as ENTRIES_NAME, EntryCache

    entries = EntryCache.load(settings.output, notes)
    planned = plan_build(settings, files, notetypes, version, allow_field_change, now, progress, entries,
                         previous=_path(previous))
    result = BuildResult(diagnostics=planned.diagnostics, notices=notes + planned.notices, lint=planned.lint)
    with publish.Transaction(settings.output, planned.record_path) as staging:
        outputs = []
        for deck, plan in zip(planned.decks, planned.plans):
            deck_result = _write_deck(deck, plan, notetypes, planned.media, staging, progress,
                                      settings.package_name)
            result.decks.append(deck_result)
            outputs += [deck_result.package, deck_result.latest]
        progress(SAVING, 0, 0)
        result.up_to_date = not any(d.written for d in result.decks)
        staging.stage(planned.record_path, planned.record.dumps().encode("utf-8"))
        staging.stage(settings.output / CHANGELOG_NAME, render_changelog(planned.record).encode("utf-8"))
        staging.stage(settings.output / ENTRIES_NAME, entries.dumps())
        staging.stage(settings.output / cache.CACHE_NAME, cache.dumps(
            key, inputs, staging.staged_path(planned.record_path),
            {str(p): staging.staged_path(p) for p in outputs}, _summary(result)))
    return result


@dataclass
class PlannedBuild:
    """Everything a build will write, decided before anything is written."""

    decks: list[Deck]
    plans: list[Plan]
    media: MediaFiles
    record: Record
    record_path: Path
    diagnostics: list[Diagnostic]
    notices: list[str] = field(default_factory=list)
    lint: list[Diagnostic] = field(default_factory=list)


def plan_build(settings: Settings, files: list[Path], notetypes: dict[str, NoteType], version: str | None = None,
               allow_field_change: bool = False, now: int | None = None,
               progress: Progress = no_progress, entries: EntryCache | None = None,
               previous: Path | None = None) -> PlannedBuild:
    """Read, parse, validate, map and match every deck; raises SourceError before any write.

    ``entries`` is the parse cache of earlier builds: unchanged chunks of a source are reused.
    """
    from mlanki import check

    # Parsed with the lint rules on (cached per chunk like the rest), so a build counts what check lists.
    decks, media, diagnostics, files_of = read_and_parse(files, settings, lint=True, progress=progress,
                                                         entries=entries)
    progress(MATCHING, 0, 0)
    lint = check.run_rules(decks, check.LINT_RULES)
    diagnostics += check.run_rules(decks, check.BUILD_RULES)
    _stop_on_errors(diagnostics, settings.strict)
    record_path = record_path_for(settings.source)
    record = Record.load(record_path)
    notices = [f"{display_path(record_path)}:{line}: {message}" for line, message in record.repairs]
    package = _previous_package(previous, decks)
    now = now if now is not None else clock()
    plans = _plan_decks(decks, files_of, settings, record, record_path, notetypes, now, version, allow_field_change,
                        package, notices)
    _stop_on_errors(diagnostics + [d for plan in plans for d in plan.diagnostics], settings.strict)
    return PlannedBuild(decks, plans, media, record, record_path, diagnostics, notices, lint)


def _plan_decks(decks, files_of, settings: Settings, record: Record, record_path: Path, notetypes, now: int,
                version=None, allow_field_change=False, package=None, notices=None) -> list[Plan]:
    """Each deck's identity resolved (moved, recovered, adopted), then its notes matched and planned."""
    from mlanki import mapping
    from mlanki.deck_identity import resolve
    from mlanki.identity import plan_deck

    notices = notices if notices is not None else []
    sources = [deck_source(deck, file, record_path.parent) for deck, file in zip(decks, files_of)]
    building = {s.key for s in sources}
    plans = []
    for deck, (path, file_settings), source in zip(decks, files_of, sources):
        shown = project_path(path, settings.source)
        specs = mapping.notes_for(deck, shown)
        notices += resolve(record, source, specs, record_path.parent, settings.output, building, package)
        plans.append(plan_deck(record, deck.name, specs, notetypes, now, version, allow_field_change, key=source.key,
                               path=source.path, source_field=source_field(shown, file_settings.source_url)))
    return plans


def _previous_package(previous: Path | None, decks: list[Deck]):
    if previous is None:
        return None
    from mlanki.released import read_package

    if len(decks) != 1:
        raise MlankiError(f"--previous {previous}: one package can only continue one deck, and this build has "
                          f"{len(decks)}; build that deck's source file alone")
    return read_package(previous)


def diff(source: str | Path | None = None, *, settings: Settings | None = None,
         notetypes: dict[str, NoteType] | None = None, progress: Progress = no_progress) -> list[Plan]:
    """What the next ``build`` would change relative to the last release; writes nothing."""
    settings = settings or load_settings(source=_path(source))
    planned = plan_build(settings, _find(settings.source), notetypes or default_notetypes(), progress=progress)
    return planned.plans


def check_sources(source: str | Path | None = None, *, settings: Settings | None = None) -> list[Diagnostic]:
    """``mlanki check``: every problem the sources have, build errors and lint findings; writes nothing."""
    return check_report(source, settings=settings).diagnostics


def check_report(source: str | Path | None = None, *, settings: Settings | None = None,
                 progress: Progress = no_progress) -> CheckResult:
    """``check_sources`` with the count of findings only linting makes; strict settings make warnings errors."""
    from mlanki import check

    settings = settings or load_settings(source=_path(source))
    decks, _media, diagnostics, files_of = read_and_parse(_find(settings.source), settings, lint=True,
                                                          progress=progress)
    progress(MATCHING, 0, 0)
    lint = check.run_rules(decks, check.LINT_RULES)
    diagnostics += check.run_rules(decks, check.BUILD_RULES) + lint
    if not any(d.is_error for d in diagnostics):
        record_path = record_path_for(settings.source)
        plans = _plan_decks(decks, files_of, settings, Record.load(record_path), record_path, default_notetypes(),
                            clock())
        diagnostics += [d for plan in plans for d in plan.diagnostics]
    if settings.strict:
        diagnostics = promoted(diagnostics)
    ordered = sorted(diagnostics, key=lambda d: (d.location.file, d.location.line, d.location.col))
    return CheckResult(ordered, len(lint))


def read_and_parse(files: list[Path], settings: Settings, lint: bool = False, progress: Progress = no_progress,
                   entries: EntryCache | None = None):
    """Read and parse every source: (decks, media, diagnostics of both steps, (path, the file's own
    settings) per deck)."""
    from mlanki.frontmatter import split_front_matter
    from mlanki.parse import parse_file
    from mlanki.render import MediaFiles

    media = MediaFiles(source_root(settings.source))
    decks, diagnostics, files_of = [], [], []
    for path in files:
        source = read_source(path, display_path(path))
        if source.problem:
            diagnostics.append(source.problem)
            continue
        deck = parse_file(path, source.text, settings, media, lint, progress, entries)
        decks.append(deck)
        diagnostics.extend(deck.diagnostics)
        files_of.append((path, split_front_matter(source.text, str(path), settings)[1]))
    return decks, media, diagnostics, files_of


def clock() -> int:
    """Seconds for new mod times: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH")
    if fixed:
        try:
            return int(fixed)
        except ValueError:
            raise MlankiError(f"SOURCE_DATE_EPOCH={fixed!r} is not a number of seconds") from None
    return int(time.time())


def source_root(source: Path) -> Path:
    """The folder of the sources: ``source`` itself, or the folder of a single source file."""
    return source if source.is_dir() else source.parent


def project_root(source: Path) -> Path:
    """The project a source belongs to: the nearest folder above it with setup.cfg or pyproject.toml,
    else the source folder's parent. Paths are made absolute without resolving symlinks, so a
    symlinked source folder still reads as where it is linked from."""
    start = Path(os.path.abspath(source_root(source)))
    for folder in (start, *start.parents):
        if (folder / "setup.cfg").is_file() or (folder / "pyproject.toml").is_file():
            return folder
    return start.parent


def record_path_for(source: Path) -> Path:
    """One record per project: the nearest existing record from the source folder up to the project
    folder, so building one file of a subfolder continues the project's record; else a new one in
    the source folder."""
    start = Path(os.path.abspath(source_root(source)))
    top = project_root(source)
    for folder in (start, *start.parents):
        if (folder / RECORD_NAME).is_file():
            return folder / RECORD_NAME
        if folder == top:
            break
    return start / RECORD_NAME


def project_path(path: Path, source: Path) -> str:
    """A source file as the Source field shows it: relative to the project, with / separators."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(project_root(source)).as_posix()
    except ValueError:
        return absolute.name


def deck_source(deck: Deck, file, record_dir: Path):
    """A deck's identity: its front matter's deck_id, else its path relative to the record's folder."""
    from mlanki.deck_identity import DeckSource

    path, file_settings = file
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(record_dir).as_posix()
    except ValueError:
        relative = absolute.name
    key = "id:" + file_settings.deck_id if file_settings.deck_id else relative
    return DeckSource(key, relative, deck.name, slug(deck.name))


def source_field(shown: str, url_template: str):
    """The Source field of a note: ``path:line`` as of the release in which the note last changed,
    a link to that release's file when the project gives ``source_url``."""
    import html
    from urllib.parse import quote

    def field(note) -> str:
        text = html.escape(f"{shown}:{note.line}" if note.line else shown, quote=False)
        if not url_template:
            return text
        url = url_template.format(path=quote(shown), line=note.line, version=quote(note.version))
        return f'<a href="{html.escape(url)}">{text}</a>'
    return field


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "deck"


# -- steps ------------------------------------------------------------------------------------------
def _find(source: Path) -> list[Path]:
    try:
        files = find_sources(source)
    except FileNotFoundError:
        raise MlankiError(f"{source}: no such source file or folder") from None
    if not files:
        raise MlankiError(f"{source}: no Markdown (.md) files found")
    return files


PROMOTED = " (a warning; strict makes it an error)"


def promoted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Strict mode: every warning becomes an error that says it was promoted."""
    return [d if d.is_error else Diagnostic(d.location, ERROR, d.message + PROMOTED, d.hint, d.code)
            for d in diagnostics]


def _stop_on_errors(diagnostics: list[Diagnostic], strict: bool) -> None:
    if strict:
        diagnostics = promoted(diagnostics)
    if any(d.is_error for d in diagnostics):
        raise SourceError(sorted(diagnostics, key=lambda d: d.location))


def _write_deck(deck: Deck, plan: Plan, notetypes: dict[str, NoteType], media: MediaFiles,
                staging: publish.Transaction, progress: Progress, package_name: str | None = None) -> DeckResult:
    from mlanki.mapping import inert_name
    from mlanki.package import PackageContent, package_bytes

    name = package_name or slug(deck.name)
    package = staging.output / f"{name}-{plan.version}.apkg"
    latest = staging.output / f"{name}.apkg"
    description = (deck.description + "\n" if deck.description else "") + \
        f'<p class="mlanki-version">Version {plan.version} · built with mlanki</p>'
    used = sorted({m for e in deck.entries for m in e.media})
    content = PackageContent(
        deck=inert_name(deck.name), description=description, deck_key=plan.key,
        notetypes=tuple((nt, plan.notetype_ids[k], plan.notetype_mods[k]) for k, nt in sorted(notetypes.items())),
        notes=tuple(plan.notes), media=tuple((m, media.files[m]) for m in used),
        foreign_models=tuple(sorted(plan.foreign_models.items())))
    data = package_bytes(content, progress, staging.folder)
    if plan.version == plan.previous and package.is_file():
        # No content change (only Source lines moved, say): the released file stays as it was released.
        written = [False, staging.stage(latest, data)]
    else:
        written = [staging.stage(package, data, released=True), staging.stage(latest, data)]
    return DeckResult(deck.name, plan.version, plan.previous, package, latest, _counts(deck, plan),
                      len(plan.added), len(plan.changed), len(plan.retired), written=any(written))


def _counts(deck: Deck, plan: Plan) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for entry in deck.entries:
        kinds = counts.setdefault(entry.topic, {"basic": 0, "multiple choice": 0, "cloze": 0, "definition cloze": 0})
        if entry.cloze:
            kinds["cloze"] += 1
        elif entry.is_multiple_choice:
            kinds["multiple choice"] += 1
        else:
            kinds["basic"] += 1
        if entry.definition:
            kinds["definition cloze"] += 1
    return counts


# -- no-op rebuilds --------------------------------------------------------------------------------
def _inputs(settings: Settings, files: list[Path]) -> list[Path]:
    """Every file a build reads: the Markdown sources and whatever else is in the source folder."""
    root = source_root(settings.source)
    others = [p for p in root.rglob("*")
              if p.is_file() and p.suffix.lower() not in (".md", ".markdown")
              and p.name != RECORD_NAME and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    return sorted(set(files) | set(others))


def _cached_result(cached: dict) -> BuildResult:
    """The previous build's result, told again for a build that had nothing to do."""
    result = BuildResult(up_to_date=True)
    for d in cached.get("decks", []):
        result.decks.append(DeckResult(d["name"], d["version"], d["version"], Path(d["package"]), Path(d["latest"]),
                                       {topic: dict(kinds) for topic, kinds in d["counts"]}, written=False))
    result.diagnostics, result.lint = ([Diagnostic(Location(*d["location"]), d["level"], d["message"], d.get("hint", ""),
                                                    d.get("code", "")) for d in cached.get(part, [])]
                                       for part in ("diagnostics", "lint"))
    return result


def _summary(result: BuildResult) -> dict:
    return {
        # Counts as lists of pairs: the cache is written with sorted keys, and topics keep source order.
        "decks": [{"name": d.name, "version": d.version, "package": str(d.package), "latest": str(d.latest),
                   "counts": [[topic, list(kinds.items())] for topic, kinds in d.counts.items()]}
                  for d in result.decks],
        **{part: [{"location": [d.location.file, d.location.line, d.location.col], "level": d.level,
                   "message": d.message, "hint": d.hint, "code": d.code} for d in found]
           for part, found in (("diagnostics", result.diagnostics), ("lint", result.lint))},
    }


def _path(value) -> Path | None:
    return Path(value) if value is not None else None
