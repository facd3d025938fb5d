"""The parse of one file, step by step: front matter, chunks, style, sections, then entries.

Micro-Learning-shaped files (every heading its own chunk) take one streaming pass; other files
are read whole, their questions normalised to headings by ``styles`` first.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mlanki import styles
from mlanki.chunks import EntryCache
from mlanki.entries import Deck, Entry
from mlanki.frontmatter import split_front_matter
from mlanki.parse.entry import EntryReader
from mlanki.parse.fields import FieldWriter
from mlanki.parse.findings import Findings, by_place
from mlanki.parse.lines import items_of
from mlanki.parse.sections import Section, is_contents, split_sections, title_section, topic_name
from mlanki.parse.stream import ChunkStream
from mlanki.parse.workers import prepare_in_workers
from mlanki.progress import Progress, no_progress
from mlanki.render import CardRenderer, MediaFiles
from mlanki.settings import Settings


class DeckParser:
    """Parses one file's text into a Deck; ``lint`` also collects what only ``mlanki check`` shows."""

    def __init__(self, file: str, settings: Settings, source_dir: Path, media: MediaFiles, lint: bool,
                 cache: EntryCache | None = None) -> None:
        self.cache = cache
        self._entry_context: dict[styles.Style, str] = {}
        self.progress: Progress = no_progress
        self.file = file
        self.settings = settings
        self.source_dir = source_dir
        self.media = media
        self.findings = Findings(file, lint)

    def parse(self, text: str) -> Deck:
        findings = self.findings
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as mistune and editors count lines
        text, self.settings, title, problems = split_front_matter(text, self.file, self.settings)
        findings.diagnostics += problems
        self.make_tools()
        findings.lines = text.split("\n") if findings.lint else []  # raw lines only for lint rules
        self.stream = ChunkStream(text, findings, self.cache)
        streamed = self._parse_streaming()
        if streamed is not None:
            name, description, title_line, entries = streamed
        else:
            stream = self.stream
            evidence = [stream.evidence(number) for number in range(len(stream))]
            style = styles.detect(evidence, self.settings.question_style, self.settings.topic_level,
                                  self.settings.question_level)
            if stream.reusable(style, evidence):
                sections = [stream.section(number, part, style) for number, part in enumerate(evidence)]
            else:
                sections = split_sections(styles.normalise(stream.all_tokens(), style), style, findings.notice)
            name, description, title_line = self._title(sections)
            entries = self._walk(sections, lambda: title_line, style)
        findings.diagnostics.extend(self.renderer.diagnostics)
        return Deck(title or name or self.settings.default_deck_name(self.file), description,
                    findings.at(title_line or 1), tuple(entries),
                    tuple(sorted(findings.diagnostics, key=by_place)), tuple(sorted(findings.notices, key=by_place)))

    def make_tools(self) -> None:
        """The renderer, field writer and entry reader for this file's settings (also in a worker)."""
        self.renderer = CardRenderer(self.source_dir, self.media, self.settings.line_breaks,
                                     self.settings.missing_media)
        self.writer = FieldWriter(self.renderer, self.findings, self.settings.line_breaks)
        self.reader = EntryReader(self.writer, self.settings.math_repair)

    def _walk(self, sections, title_line, style: styles.Style) -> list[Entry]:
        """Entries of the question sections, each under the topic heading before it."""
        entries: list[Entry] = []
        topic: str | None = ""
        for number, section in enumerate(sections):
            if number % 1000 == 0:
                self.progress("parsing", number, len(self.stream))
            if section.heading is None or section.line == title_line():
                continue
            if not section.is_question:
                if is_contents(section.title):
                    continue  # a table of contents inside a topic: no cards, same topic
                topic = topic_name(section.title)
                if topic is not None and self.findings.lint and self.stream.body(section):
                    self.findings.notice(section.line, "text under a topic heading is not part of any card", "outside")
                continue
            if topic is None:
                continue  # inside a contact / licence section: no cards
            entry = self.stream.cached_entry(section, topic, self._context(style), self.media,
                                             self.renderer.diagnostics, self._entry, self)
            if entry is not None:
                entries.append(entry)
            self.stream.done(section)
        return entries

    def carried(self) -> tuple[str, int, tuple[str, ...]]:
        """What one entry hands the next: the label a part heading ("2/3") continues, the cloze
        number a ``==mark==`` heading counts on from, and images a dropped entry left."""
        return self.reader.prompts.last_label, self.renderer.cloze_count, tuple(self.renderer.used_media)

    def carry(self, state: tuple[str, int, tuple[str, ...]]) -> None:
        self.reader.prompts.last_label, self.renderer.cloze_count, media = state
        self.renderer.used_media[:] = media

    def carried_key(self, heading_line: str) -> str:
        """The part of ``carried`` an entry with this heading line can read (more, never less), so
        an edit re-parses the entry after it only when that entry continues it."""
        label, cloze_count, media = self.carried()
        return repr((label if self.reader.prompts.may_continue(heading_line) else None,
                     cloze_count if "==" in heading_line else None, media))

    def _entry(self, section: Section, topic: str) -> Entry | None:
        ready = self.stream.prepared.pop(section.chunk, None) if section.chunk is not None else None
        if ready is not None and ready.independent and not self.renderer.used_media:
            self.stream.adopted += 1
            return ready.adopt(self.findings, self.renderer, self.reader.prompts, self.media, topic)
        return self.reader.read(section, self.stream.body(section), topic)

    def _parse_streaming(self) -> tuple[str, str, int, list[Entry]] | None:
        """One pass for the common shape (Micro-Learning's: every heading its own chunk), keeping
        only the tokens of the chunk at hand; None when the file turns out to need the general path.

        Style detection needs every chunk, so the pass assumes the default heading style and checks
        the assumption at the end; a file in another style is parsed again the general way.
        """
        if (self.settings.question_style not in ("auto", styles.HEADING)
                or self.settings.question_level):
            return None
        guess = styles.Style(styles.HEADING, self.settings.topic_level)
        stream = self.stream
        prepare_in_workers(self, guess)
        evidence: list[styles.Evidence] = []
        first_title = [0]
        seen = (len(self.findings.diagnostics), len(self.renderer.diagnostics), len(self.findings.notices))

        def sections():
            for number in range(len(stream)):
                part = stream.evidence(number)
                evidence.append(part)
                section = stream.section(number, part, guess)
                if (not first_title[0] and section.heading is not None and section.level == 1
                        and not section.is_question and section.title):
                    first_title[0] = section.line
                yield section

        entries = self._walk(sections(), lambda: first_title[0], guess)
        style = styles.detect(evidence, self.settings.question_style, self.settings.topic_level,
                              self.settings.question_level)
        if style == guess and stream.reusable(style, evidence):
            name, description, title_line = self._title(
                [stream.section(number, part, style) for number, part in enumerate(evidence)])
            if title_line == first_title[0]:
                return name, description, title_line, entries
        del self.findings.diagnostics[seen[0]:], self.renderer.diagnostics[seen[1]:], self.findings.notices[seen[2]:]
        stream.prepared.clear()
        return None

    def _context(self, style: styles.Style) -> str:
        """What else an entry depends on: style, settings, the folder images are found from, and the file
        itself, by its path in the source folder (the same text in two files is two entries; the same
        project built from another folder or checkout reuses its cache, its places renamed)."""
        if style not in self._entry_context:
            folder = self.source_dir.resolve().relative_to(self.media.root.resolve())
            # how many processes parse does not change an entry: a --jobs 2 build reuses a serial one's cache
            how = replace(self.settings, source=None, output=None, jobs=None, parallel_min_bytes=0)
            self._entry_context[style] = repr((style, how, str(folder), (folder / Path(self.file).name).as_posix()))
        return self._entry_context[style]

    def _title(self, sections: list[Section]) -> tuple[str, str, int]:
        """The deck's name, description (HTML) and title line; ("", "", 0) when it has no title."""
        section = title_section(sections)
        if section is None:
            return "", "", 0
        paragraphs = items_of([t for t in self.stream.body(section) if t["type"] == "paragraph"])
        self.renderer.location = self.findings.at(section.line + 1)
        writer = self.writer
        description = self.renderer.finish("\n".join(
            writer.line_join.join(writer.inline_at(line.line, line.tokens) for line in para.lines)
            for para in paragraphs))
        return section.title, description, section.line
