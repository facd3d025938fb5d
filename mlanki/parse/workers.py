"""A large file's chunks parsed on every core: worker processes read entries, the file's own pass merges them.

The streaming pass (``deck``) walks a file's chunks in order. Before it starts, the chunks the
entry cache does not know are sent, in contiguous batches, to worker processes; each worker
tokenises its chunks, finds their style evidence and reads the entry of every question chunk,
exactly as the pass would. The pass then takes those results in source order instead of parsing,
so diagnostics, media and entries come out in the same order and bytes as a serial parse.

Workers get plain data (chunk texts, the file's settings) and return plain data (``Prepared``).
An entry depends on the one before it in two small ways: a part heading ("…, 2/3") takes the
previous entry's label, and a ``==mark==`` in a heading numbers on from the previous cloze. A worker
starts every entry from a marker state; an entry whose result shows a marker is parsed again by
the pass itself, in order, so the merge never guesses.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from itertools import repeat
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

from mlanki import styles
from mlanki.chunks import Chunk
from mlanki.entries import Diagnostic, Entry, Location
from mlanki.render import MediaFiles
from mlanki.settings import Settings

_LABEL_MARK = "mlanki-label-of-the-entry-before"  # no entry's own text says this
_CLOZE_MARK = 900_000_000                          # nor numbers a cloze from here
_CLOZE_SEEN = "{{c90000000"
_LOCATION_MARK = Location("<mlanki-location-of-the-entry-before>", 0)
_BATCHES_PER_WORKER = 4  # a few batches each, so one slow batch does not keep the other cores idle


@dataclass(frozen=True)
class Job:
    """What every batch of one file shares: where it is, how it is read, the style the pass assumes."""

    file: str
    settings: Settings
    source_dir: str
    media_root: str
    style: styles.Style
    lint: bool


@dataclass(frozen=True)
class Prepared:
    """One chunk as a worker parsed it: evidence (and fence errors), and its entry when it holds a question.

    ``label``/``cloze`` are the prompt label and cloze number after the entry (None: left as they
    were); ``leftover`` the images rendered for an entry that was dropped (the next one lists them).
    """

    evidence: styles.Evidence
    fences: tuple[Diagnostic, ...] = ()
    independent: bool = False  # an entry was read and did not depend on the entry before it
    entry: Entry | None = None
    found: tuple[Diagnostic, ...] = ()
    drawn: tuple[Diagnostic, ...] = ()
    noticed: tuple[Diagnostic, ...] = ()  # lint notices, when the file is linted
    stamps: tuple[tuple[str, tuple[str, int, int]], ...] = ()
    leftover: tuple[str, ...] = ()
    label: str | None = None
    cloze: int | None = None

    def adopt(self, findings, renderer, prompts, media: MediaFiles, topic: str) -> Entry | None:
        """The entry, with every effect reading it in this process would have had."""
        findings.diagnostics += self.found
        findings.notices += self.noticed
        renderer.diagnostics += self.drawn
        media.restore(dict(self.stamps))
        renderer.used_media.extend(self.leftover)
        if self.label is not None:
            prompts.last_label = self.label
        if self.cloze is not None:
            renderer.cloze_count = self.cloze
        return None if self.entry is None else replace(self.entry, topic=topic)


def worker_count(jobs: int | None) -> int:
    """``jobs`` processes, or one per core this process may run on."""
    if jobs:
        return jobs
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def prepare_in_workers(parser, style: styles.Style) -> None:
    """Fill ``parser.stream.prepared`` from worker processes when the chunks to parse are many enough.

    Only chunks the entry cache does not hold are sent; below ``settings.parallel_min_bytes`` of
    them (or with one job) the pass parses them itself, as starting processes costs more.
    """
    stream, settings = parser.stream, parser.settings
    jobs = worker_count(settings.jobs)
    if jobs < 2:
        return
    todo = [number for number in range(len(stream)) if stream.cached_evidence(number)[1] is None]
    if len(todo) < 2 or sum(len(stream.chunks[n].text) for n in todo) < settings.parallel_min_bytes:
        return
    batches = _batches(todo, min(len(todo), jobs * _BATCHES_PER_WORKER))
    job = Job(parser.file, settings, str(parser.source_dir), str(parser.media.root), style, parser.findings.lint)
    texts = [[(stream.chunks[n].first_line, stream.chunks[n].text) for n in batch] for batch in batches]
    with ProcessPoolExecutor(min(jobs, len(batches)), mp_context=_context()) as pool:
        for batch, results in zip(batches, pool.map(parse_batch, repeat(job), texts)):
            stream.prepared.update(zip(batch, results))


def _batches(numbers: list[int], count: int) -> list[list[int]]:
    """``numbers`` cut into ``count`` contiguous runs of nearly equal length."""
    size, extra = divmod(len(numbers), count)
    out, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        out.append(numbers[start:end])
        start = end
    return out


def _context():
    """fork where there is one (the parser is already imported: a worker starts in milliseconds)."""
    return get_context("fork" if "fork" in get_all_start_methods() else None)


def parse_batch(job: Job, batch: list[tuple[int, str]]) -> list[Prepared]:
    """In a worker: each chunk's evidence and, for a question chunk, its entry, as the pass would read them."""
    from mlanki.parse.deck import DeckParser
    from mlanki.parse.stream import ChunkStream

    media = MediaFiles(Path(job.media_root))
    parser = DeckParser(job.file, job.settings, Path(job.source_dir), media, lint=job.lint)
    parser.make_tools()
    findings, renderer, prompts = parser.findings, parser.renderer, parser.reader.prompts
    if job.lint:
        findings.lines = _raw_lines(batch)
    stream = parser.stream = ChunkStream("", findings, None, [Chunk(line, text) for line, text in batch])
    out = []
    for number in range(len(stream)):
        seen = len(findings.diagnostics)
        evidence = styles.Evidence.of(stream.tokens_of(number))
        fences = tuple(findings.diagnostics[seen:])
        section = stream.section(number, evidence, job.style)
        if section.heading is None or not section.is_question:
            out.append(Prepared(evidence, fences))
            stream.done(section)
            continue
        prompts.last_label, renderer.cloze_count, renderer.location = _LABEL_MARK, _CLOZE_MARK, _LOCATION_MARK
        renderer.used_media.clear()
        seen, drawn, told = len(findings.diagnostics), len(renderer.diagnostics), len(findings.notices)
        entry = parser.reader.read(section, stream.body(section), "")
        stream.done(section)
        found, made = tuple(findings.diagnostics[seen:]), tuple(renderer.diagnostics[drawn:])
        noticed = tuple(findings.notices[told:])
        leftover = tuple(renderer.used_media)
        said = repr((entry, found, made, noticed))
        independent = _LABEL_MARK not in said and _CLOZE_SEEN not in said and _LOCATION_MARK.file not in said
        names = dict.fromkeys((entry.media if entry else ()) + leftover)
        label = None if prompts.last_label == _LABEL_MARK else prompts.last_label
        cloze = None if renderer.cloze_count == _CLOZE_MARK else renderer.cloze_count
        if cloze is not None and cloze > _CLOZE_MARK:
            independent = False  # numbered on from the entry before
        out.append(Prepared(evidence, fences, independent, entry, found, made, noticed,
                            tuple(media.stamps(names).items()), leftover, label, cloze))
    return out


def _raw_lines(batch: list[tuple[int, str]]) -> list[str]:
    """The file's raw lines as lint rules index them (line N at N - 1), known for this batch's chunks only."""
    first, text = batch[-1]
    lines = [""] * (first + text.count("\n"))
    for first, text in batch:
        for offset, raw in enumerate(text.split("\n")):
            if first - 1 + offset < len(lines):
                lines[first - 1 + offset] = raw
    return lines
