"""A file as chunks (one per heading): tokens parsed on first use, results reused from the cache.

Every build reads a file chunk by chunk (``mlanki.chunks``), so a rebuild parses only the chunks
that changed. For the common shape (Micro-Learning's: every heading starts its own chunk and
section) a section is made straight from its chunk, and its tokens are dropped once used, so a
100k-entry file never holds all its tokens at once.
"""

from __future__ import annotations

from dataclasses import replace

from mlanki import styles
from mlanki.chunks import Chunk, EntryCache, split_chunks
from mlanki.entries import Entry
from mlanki.parse.findings import Findings, moved, moved_location
from mlanki.parse.sections import Section, split_sections
from mlanki.parse.workers import Prepared
from mlanki.render import MediaFiles
from mlanki.syntax import Token, parse_markdown


class ChunkStream:
    """The chunks of one file, their tokens (while needed) and their cached parse results."""

    def __init__(self, text: str, findings: Findings, cache: EntryCache | None, chunks: list[Chunk] | None = None) -> None:
        self.findings = findings
        self.cache = cache
        self.chunks = split_chunks(text) if chunks is None else chunks
        self.tokens: dict[int, list[Token]] = {}
        self.prepared: dict[int, Prepared] = {}  # chunk number -> what a worker process parsed of it
        self.adopted = 0  # entries taken from workers (the rest were read here)
        self.evidence_keys: dict[int, str] = {}
        self.fences_checked: set[int] = set()

    def __len__(self) -> int:
        return len(self.chunks)

    def all_tokens(self) -> list[Token]:
        return [t for number in range(len(self.chunks)) for t in self.tokens_of(number)]

    def tokens_of(self, number: int) -> list[Token]:
        if number not in self.tokens:
            chunk = self.chunks[number]
            tokens = [t for t in parse_markdown(chunk.text, chunk.first_line) if t["type"] != "blank_line"]
            if number not in self.fences_checked:  # once per chunk: a worker may have checked it already
                self.fences_checked.add(number)
                self.findings.check_fences(tokens, chunk)
            self.tokens[number] = tokens
        return self.tokens[number]

    def done(self, section: Section) -> None:
        """The section's tokens are no longer needed: 100k entries' tokens need not stay."""
        if section.chunk is not None:
            self.tokens.pop(section.chunk, None)

    def cached_evidence(self, number: int) -> tuple[str, tuple | None]:
        """The evidence cache's key for a chunk, and what it holds there (None: a miss, or no cache)."""
        if self.cache is None:
            return "", None
        key = self.evidence_keys.get(number)
        if key is None:
            key = self.evidence_keys[number] = self.cache.key("evidence", self.chunks[number].digest)
        return key, self.cache.get(key)  # evidence is the same with or without lint

    def evidence(self, number: int) -> styles.Evidence:
        """A chunk's style evidence, from the cache (line numbers moved to where it is now), a worker, or parsed."""
        chunk = self.chunks[number]
        use_cache = self.cache is not None
        key, cached = self.cached_evidence(number)
        if cached is not None:
            first_line, evidence = cached
            shift = chunk.first_line - first_line
            if not shift:
                return evidence
            return replace(evidence, headings=tuple(dict(h, line=h["line"] + shift) for h in evidence.headings))
        ready = self.prepared.get(number)
        if ready is not None:
            evidence = ready.evidence
            self.findings.diagnostics += ready.fences  # what parsing its tokens here would have said
            self.fences_checked.add(number)
        else:
            evidence = styles.Evidence.of(self.tokens_of(number))
        if use_cache:
            self.cache.put(key, (chunk.first_line, evidence))
        return evidence

    def reusable(self, style: styles.Style, evidence: list[styles.Evidence]) -> bool:
        """Chunk by chunk works when every heading starts its own chunk and section: Micro-Learning's shape."""
        if style.kind != styles.HEADING or style.question_level is not None:
            return False
        return all(len(part.headings) <= 1 and all(h["line"] == chunk.first_line for h in part.headings)
                   for chunk, part in zip(self.chunks, evidence))

    def section(self, number: int, evidence: styles.Evidence, style: styles.Style) -> Section:
        """The section a chunk holds, its body left to parse on first use."""
        if not evidence.headings or evidence.headings[0]["line"] != self.chunks[number].first_line:
            return Section(None, self.chunks[number].first_line, body=None, chunk=number)  # text before any heading
        heading = styles.heading_token(evidence.headings[0], style)
        return Section(heading, heading["line"], body=None, chunk=number)

    def body(self, section: Section) -> list[Token]:
        """A section's body tokens, parsing its chunk on first use."""
        if section.chunk is not None and section.body is None:
            tokens = self.tokens_of(section.chunk)
            style = styles.Style()  # heading style: the chunk's own heading leads its tokens
            section.body = []
            if tokens[:1] and tokens[0]["type"] == "heading":
                tokens = tokens[1:]
            for part in split_sections(styles.normalise(tokens, style), style, self.findings.notice)[:1]:
                section.body = part.body
        return section.body or []

    def cached_entry(self, section: Section, topic: str, context: str, media: MediaFiles, renderer_diagnostics,
                     make, carrier) -> Entry | None:
        """``make(section, topic)``, reused when the chunk, topic and ``context`` are unchanged; with
        its diagnostics and, when linting, its lint notices (a build counts them as check lists them).

        ``carrier`` (the ``DeckParser``) holds what the entry before hands this one: the part this
        entry can read is in the key, and what this entry hands on is kept and handed on from the cache.
        """
        if not self.cache or section.chunk is None:
            return make(section, topic)
        chunk = self.chunks[section.chunk]
        key = self.cache.key("entry", chunk.digest, topic, context, "lint" if self.findings.lint else "",
                             carrier.carried_key(chunk.text.split("\n", 1)[0]))
        cached = self.cache.get(key)
        diagnostics, notices = self.findings.diagnostics, self.findings.notices
        if cached is not None and media.still_valid(cached[3]):
            first_line, entry, found, stamps, noticed, state = cached
            shift, file = chunk.first_line - first_line, self.findings.file
            media.restore(stamps)
            carrier.carry(state)
            if not shift and all(x.location.file == file for x in (*found, *noticed, *([entry] if entry else []))):
                diagnostics += found  # most chunks did not move: an edit seldom adds or removes lines
                notices += noticed
                return entry
            diagnostics += [moved(d, shift, file) for d in found]
            notices += [moved(d, shift, file) for d in noticed]
            return None if entry is None else replace(entry, location=moved_location(entry.location, shift, file))
        seen, drawn, told = len(diagnostics), len(renderer_diagnostics), len(notices)
        entry = make(section, topic)
        made = diagnostics[seen:] + renderer_diagnostics[drawn:]
        if not any(d.is_error for d in made):
            used = entry.media if entry else ()
            self.cache.put(key, (chunk.first_line, entry, made, media.stamps(used), notices[told:], carrier.carried()))
        return entry
