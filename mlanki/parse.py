"""Markdown tokens to a ``Deck`` of ``Entry``s, following the maintainer's conventions.

The skeleton (SOURCE-FORMAT.md): a ``#`` title and introduction (deck name and description),
``##`` topics (subdecks), question headings below the topic level, and the answer up to the next
heading or ``***``. Everything is read from mistune's tokens; a paragraph is looked at line by
line because the maintainer writes one point per line with no blank lines between.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from mlanki import check, choices, styles
from mlanki.chunks import Chunk, EntryCache, split_chunks
from mlanki.entries import ERROR, WARNING, Deck, Diagnostic, Entry, Location
from mlanki.frontmatter import split_front_matter
from mlanki.render import CardRenderer, MediaFiles
from mlanki.progress import Progress, no_progress
from mlanki.settings import Settings
from mlanki.sources import display_path
from mlanki.syntax import Token, cut_chars, drop_chars, is_blank, lstrip_tokens, parse_markdown, plain_text

_TOPIC_PREFIX = re.compile(r"^\s*topic\s*\d+\s*[:.-]\s*", re.IGNORECASE)
_NOT_A_TOPIC = re.compile(r"^\s*(contact(\s+me)?|contacts|license|licence|references)\s*:?\s*$", re.IGNORECASE)
_BR = re.compile(r"^<br\s*/?>$", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"^\s*(answer\s+here|todo|tbd|to\s+do|\.\.\.|…)\s*[.!]?\s*$", re.IGNORECASE)
_CONTENTS = re.compile(r"^\s*(table\s+of\s+)?contents\s*:?\s*$", re.IGNORECASE)
_DETAILS_OPEN = re.compile(r"^\s*<details[^>]*>\s*(<summary>.*?</summary>)?\s*", re.IGNORECASE | re.DOTALL)
_DETAILS_CLOSE = re.compile(r"\s*</details>\s*$", re.IGNORECASE)
_EXPLICIT_ID = re.compile(r"<!--\s*mlanki-id\s*:\s*([\w.:-]+)\s*-->", re.IGNORECASE)
_CLOZE_MARKUP = re.compile(r"\{\{c\d+::")
_LABEL_LINE = re.compile(r"^([A-Z][^:.!?\n]{0,58}):(?=\s|$)")
_WHAT_IS = re.compile(r"^what\s+(?:is|are)\s+(?:an?\s+|the\s+)?(?P<term>.+?)\s*\??$", re.IGNORECASE)
_DEFINITION = re.compile(r"^(?P<subject>.+?)\s+(?P<verb>is|are|refers to|means)\s+(?P<rest>.+)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")
_ARTICLES = {"a", "an", "the"}
_SHORT_ANSWER_WORDS = 8
_BARE_OPTION_CHARS = 100


@dataclass
class _Line:
    """One source line of a paragraph: its inline tokens and line number."""

    tokens: list[Token]
    line: int

    @cached_property
    def text(self) -> str:
        return plain_text(self.tokens).strip()

    @property
    def text_raw(self) -> str:
        """The visible text unstripped, so positions match the tokens."""
        return plain_text(self.tokens)


@dataclass
class _Para:
    """A paragraph seen as the lines it was written in."""

    lines: list[_Line]

    @property
    def line(self) -> int:
        return self.lines[0].line


@dataclass
class _Section:
    """A heading and the block tokens of its body (up to the next heading or ``***``)."""

    heading: Token | None
    line: int
    body: list[Token] | None = field(default_factory=list)
    closed: bool = False
    chunk: int | None = None  # parsed lazily from this chunk when ``body`` is None

    @property
    def level(self) -> int:
        return self.heading["attrs"]["level"] if self.heading else 0

    @property
    def title(self) -> str:
        return plain_text(self.heading["children"]).strip() if self.heading else ""

    @property
    def is_question(self) -> bool:
        return bool(self.heading and self.heading.get("question"))


@dataclass
class _Options:
    """Options found in an entry: HTML and plain text each, the rest of the body, a checked box."""

    html: list[str]
    text: list[str]
    rest: list
    checked: int | None = None
    stem: list = field(default_factory=list)


def parse_text(text: str, file: str, settings: Settings | None = None,
               source_dir: Path | None = None, media: MediaFiles | None = None, lint: bool = False) -> Deck:
    """Parse one Markdown source into a Deck. Never raises on any text; problems become diagnostics.

    With ``lint`` the deck also carries ``notices``: findings only ``mlanki check`` reports.
    """
    source_dir = source_dir or Path(".")
    return _DeckParser(file, settings or Settings(), source_dir, media or MediaFiles(source_dir), lint).parse(text)


def parse_file(path: Path, text: str, settings: Settings, media: MediaFiles, lint: bool = False,
               progress: Progress = no_progress, cache: EntryCache | None = None) -> Deck:
    """Parse the already-read ``text`` of ``path``; locations are shown relative to the working folder.

    With a ``cache``, chunks whose text (and context) did not change since it was filled are reused.
    """
    parser = _DeckParser(display_path(path), settings, path.parent, media, lint, cache)
    parser.progress = progress
    return parser.parse(text)


class _DeckParser:
    def __init__(self, file: str, settings: Settings, source_dir: Path, media: MediaFiles, lint: bool,
                 cache: EntryCache | None = None) -> None:
        self.lint = lint
        self.cache = cache
        self._entry_context: dict[styles.Style, str] = {}
        self.progress: Progress = no_progress
        self.file = file
        self.settings = settings
        self.source_dir = source_dir
        self.media = media
        self.diagnostics: list[Diagnostic] = []
        self.notices: list[Diagnostic] = []

    def at(self, line: int) -> Location:
        return Location(self.file, line)

    def warn(self, line: int, message: str, code: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(self.at(line), WARNING, message, hint, code))

    # -- skeleton ---------------------------------------------------------------------------
    def parse(self, text: str) -> Deck:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as mistune and editors count lines
        text, self.settings, title, problems = split_front_matter(text, self.file, self.settings)
        self.diagnostics += problems
        self.renderer = CardRenderer(self.source_dir, self.media, self.settings.line_breaks,
                                     self.settings.missing_media)
        self._line_join = "<br>\n" if self.settings.line_breaks else "\n"
        self.lines = text.split("\n") if self.lint else []  # raw lines only for lint rules
        self.chunks = split_chunks(text)
        self.tokens: dict[int, list[Token]] = {}
        streamed = self._parse_streaming()
        if streamed is not None:
            name, description, title_line, entries = streamed
        else:
            evidence = [self._evidence(number) for number in range(len(self.chunks))]
            style = styles.detect(evidence, self.settings.question_style, self.settings.topic_level,
                                  self.settings.question_level)
            if self._reusable(style, evidence):
                sections = [self._chunk_section(number, part, style) for number, part in enumerate(evidence)]
            else:
                for number in range(len(self.chunks)):
                    self._chunk_tokens(number)
                tokens = [t for number in range(len(self.chunks)) for t in self.tokens[number]]
                sections = self._sections(styles.normalise(tokens, style), style)
            name, description, title_line = self._title(sections)
            entries = self._walk(sections, lambda: title_line, style)
        self.diagnostics.extend(self.renderer.diagnostics)
        return Deck(title or name or self.settings.default_deck_name(self.file), description,
                    self.at(title_line or 1), tuple(entries), tuple(sorted(self.diagnostics, key=_by_place)),
                    tuple(sorted(self.notices, key=_by_place)))

    def _walk(self, sections, title_line, style: styles.Style) -> list[Entry]:
        """Entries of the question sections, each under the topic heading before it."""
        entries: list[Entry] = []
        topic: str | None = ""
        for number, section in enumerate(sections):
            if number % 1000 == 0:
                self.progress("parsing", number, len(self.chunks))
            if section.heading is None or section.line == title_line():
                continue
            if not section.is_question:
                if _CONTENTS.match(section.title):
                    continue  # a table of contents inside a topic: no cards, same topic
                topic = self._topic_name(section.title)
                if topic is not None and self.lint and self._body(section):
                    self.notice(section.line, "text under a topic heading is not part of any card", "outside")
                continue
            if topic is None:
                continue  # inside a contact / licence section: no cards
            entry = self._cached_entry(section, topic, style)
            if entry is not None:
                entries.append(entry)
            if section.chunk is not None:
                self.tokens.pop(section.chunk, None)  # done with it: 100k entries' tokens need not stay
        return entries

    def _parse_streaming(self) -> tuple[str, str, int, list[Entry]] | None:
        """One pass for the common shape (Micro-Learning's: every heading its own chunk), keeping
        only the tokens of the chunk at hand; None when the file turns out to need the general path.

        Style detection needs every chunk, so the pass assumes the default heading style and checks
        the assumption at the end; a file in another style is parsed again the general way.
        """
        if self.lint or self.settings.question_style not in ("auto", styles.HEADING) or self.settings.question_level:
            return None
        guess = styles.Style(styles.HEADING, self.settings.topic_level)
        evidence: list[styles.Evidence] = []
        first_title = [0]
        seen = (len(self.diagnostics), len(self.renderer.diagnostics))

        def sections():
            for number in range(len(self.chunks)):
                part = self._evidence(number)
                evidence.append(part)
                section = self._chunk_section(number, part, guess)
                if (not first_title[0] and section.heading is not None and section.level == 1
                        and not section.is_question and section.title):
                    first_title[0] = section.line
                yield section

        entries = self._walk(sections(), lambda: first_title[0], guess)
        style = styles.detect(evidence, self.settings.question_style, self.settings.topic_level,
                              self.settings.question_level)
        if style == guess and self._reusable(style, evidence):
            name, description, title_line = self._title(
                [self._chunk_section(number, part, style) for number, part in enumerate(evidence)])
            if title_line == first_title[0]:
                return name, description, title_line, entries
        del self.diagnostics[seen[0]:], self.renderer.diagnostics[seen[1]:]
        return None

    # -- chunks: parse what changed, reuse the rest --------------------------------------------
    def _chunk_tokens(self, number: int) -> list[Token]:
        if number not in self.tokens:
            chunk = self.chunks[number]
            tokens = [t for t in parse_markdown(chunk.text, chunk.first_line) if t["type"] != "blank_line"]
            self._check_fences(tokens, chunk)
            self.tokens[number] = tokens
        return self.tokens[number]

    def _evidence(self, number: int) -> styles.Evidence:
        """A chunk's style evidence, from the cache (line numbers moved to where it is now) or parsed."""
        chunk = self.chunks[number]
        key = self.cache.key("evidence", chunk.digest) if self.cache else ""
        cached = self.cache.get(key) if self.cache and not self.lint else None
        if cached is not None:
            first_line, evidence = cached
            shift = chunk.first_line - first_line
            if not shift:
                return evidence
            return replace(evidence, headings=tuple(dict(h, line=h["line"] + shift) for h in evidence.headings))
        evidence = styles.Evidence.of(self._chunk_tokens(number))
        if self.cache:
            self.cache.put(key, (chunk.first_line, evidence))
        return evidence

    def _reusable(self, style: styles.Style, evidence: list[styles.Evidence]) -> bool:
        """Chunk by chunk works when every heading starts its own chunk and section: Micro-Learning's shape."""
        if style.kind != styles.HEADING or style.question_level is not None or self.lint:
            return False
        return all(len(part.headings) <= 1 and all(h["line"] == chunk.first_line for h in part.headings)
                   for chunk, part in zip(self.chunks, evidence))

    def _chunk_section(self, number: int, evidence: styles.Evidence, style: styles.Style) -> _Section:
        if not evidence.headings or evidence.headings[0]["line"] != self.chunks[number].first_line:
            return _Section(None, self.chunks[number].first_line, body=None, chunk=number)  # text before any heading
        heading = styles.heading_token(evidence.headings[0], style)
        return _Section(heading, heading["line"], body=None, chunk=number)

    def _body(self, section: _Section) -> list[Token]:
        """A section's body tokens, parsing its chunk on first use."""
        if section.chunk is not None and section.body is None:
            tokens = self._chunk_tokens(section.chunk)
            style = styles.Style()  # heading style: the chunk's own heading leads its tokens
            section.body = []
            for part in self._sections(styles.normalise(tokens[1:] if tokens[:1] and tokens[0]["type"] == "heading"
                                                        else tokens, style), style)[:1]:
                section.body = part.body
        return section.body or []

    def _context(self, style: styles.Style) -> str:
        """What else an entry depends on: style, settings, and the folder images are found from."""
        if style not in self._entry_context:
            folder = self.source_dir.resolve().relative_to(self.media.root.resolve())
            self._entry_context[style] = repr((style, replace(self.settings, source=None, output=None), str(folder)))
        return self._entry_context[style]

    def _cached_entry(self, section: _Section, topic: str, style: styles.Style) -> Entry | None:
        """The entry of a question section: reused when its chunk, topic and settings are unchanged."""
        if not self.cache or section.chunk is None or self.lint:
            return self._entry(section, topic)
        chunk = self.chunks[section.chunk]
        key = self.cache.key("entry", chunk.digest, topic, self._context(style))
        cached = self.cache.get(key)
        if cached is not None and self.media.still_valid(cached[3]):
            first_line, entry, diagnostics, media = cached
            shift = chunk.first_line - first_line
            self.media.restore(media)
            if not shift:  # most chunks did not move: an edit seldom adds or removes lines
                self.diagnostics += diagnostics
                return entry
            self.diagnostics += [_moved(d, shift) for d in diagnostics]
            return None if entry is None else replace(entry, location=_moved_location(entry.location, shift))
        seen, drawn = len(self.diagnostics), len(self.renderer.diagnostics)
        entry = self._entry(section, topic)
        made = self.diagnostics[seen:] + self.renderer.diagnostics[drawn:]
        if not any(d.is_error for d in made):
            used = entry.media if entry else ()
            self.cache.put(key, (chunk.first_line, entry, made, self.media.stamps(used)))
        return entry

    def notice(self, line: int, message: str, code: str, col: int = 0, hint: str = "") -> None:
        """A finding only ``mlanki check`` shows: the deck is still right."""
        if self.lint:
            self.notices.append(Diagnostic(Location(self.file, line, col), WARNING, message, hint, code))

    def _lint_lines(self, items: list) -> None:
        if not self.lint:
            return
        for line in _lines(items):
            raw = self.lines[line.line - 1] if 0 < line.line <= len(self.lines) else ""
            for col, code, message, hint in check.line_problems(raw):
                self.notice(line.line, message, code, col, hint)

    def _check_fences(self, tokens: list[Token], chunk: Chunk) -> None:
        """A fence never closed swallows the rest of the file into one code block."""
        lines = None
        for token in tokens:
            if token["type"] != "block_code" or token.get("style") != "fenced":
                continue
            lines = lines or chunk.text.split("\n")  # a fence cannot leave its chunk
            end = token["line"] + token["raw"].count("\n") + 1 - chunk.first_line  # the closing fence's line
            closing = lines[end].strip() if end < len(lines) else ""
            if not closing.startswith(token.get("marker", "```")[:3]):
                self.diagnostics.append(Diagnostic(Location(self.file, token["line"], 1), ERROR,
                                                   "code fence is never closed; the rest of the file became code",
                                                   "close it with " + token.get("marker", "```"), "fence"))

    def _sections(self, tokens: list[Token], style: styles.Style) -> list[_Section]:
        sections = [_Section(None, 1)]
        for token in tokens:
            kind = token["type"]
            current = sections[-1]
            if kind == "heading" and (token["question"] or not self._inside_answer(token, current, style)):
                sections.append(_Section(token, token["line"]))
            elif kind == "thematic_break":
                current.closed = True
            elif kind == "blank_line":
                continue
            elif not current.closed:
                current.body.append(token)
            elif current.is_question or current.heading is None:
                self.notice(token["line"], "text after *** and before the next heading is not part of any card",
                            "outside")
        return sections

    @staticmethod
    def _inside_answer(token: Token, current: _Section, style: styles.Style) -> bool:
        """A sub-heading inside an answer (deeper than the question level) is content, not structure."""
        return (current.is_question and not current.closed and style.question_level is not None
                and token["attrs"]["level"] > style.question_level)

    def _title(self, sections: list[_Section]) -> tuple[str, str, int]:
        headings = [s for s in sections if s.heading is not None and not s.is_question]
        titled = [s for s in headings if s.level == 1 and s.title]
        if not titled and headings:
            top = min(s.level for s in headings)
            titled = [s for s in headings if s.level == top and not _TOPIC_PREFIX.match(s.title)]
            titled = titled if len(titled) == 1 and not any(s.is_question for s in sections[:sections.index(titled[0])]) else []
        if not titled:
            return "", "", 0
        section = titled[0]
        paragraphs = self._items([t for t in self._body(section) if t["type"] == "paragraph"])
        self.renderer.location = self.at(section.line + 1)
        description = self.renderer.finish("\n".join(
            self._line_join.join(self._inline_at(line.line, line.tokens) for line in para.lines) for para in paragraphs))
        return section.title, description, section.line

    def _topic_name(self, title: str) -> str | None:
        if _NOT_A_TOPIC.match(title):
            return None
        return _TOPIC_PREFIX.sub("", title).strip().rstrip(":").strip()

    # -- one entry --------------------------------------------------------------------------
    def _entry(self, section: _Section, topic: str) -> Entry | None:
        stem, body = _unwrap_details(self._body(section))
        items = self._items(body)
        self._lint_lines(items)
        explicit_id = self._explicit_id(section, items)
        items = [i for i in items if not _id_block(i)]
        if not items:
            return None  # a placeholder heading with no body is not a card
        heading_tokens = [t for t in section.heading["children"] if not _is_id_comment(t)]
        question_text, heading_options = choices.split_heading_options(plain_text(heading_tokens).strip())
        question = (html.escape(question_text, quote=False) if heading_options
                    else self.renderer.finish(self._inline_at(section.line, heading_tokens)))
        if stem:
            question = question + "\n" + self._render(self._items(stem))
        location = self.at(section.line)
        common = dict(question=question, question_text=question_text, topic=topic, location=location,
                      explicit_id=explicit_id)

        if self._has_cloze_markup(items):
            return self._cloze_entry(items, common)

        if heading_options:
            found = _Options([html.escape(o, quote=False) for o in heading_options], heading_options, items)
        else:
            found = self._options(items)
        if found:
            return self._multiple_choice(found, section, common)
        return self._basic(items, common)

    def _items(self, body: list[Token]) -> list:
        """Body blocks, with each paragraph split into its source lines."""
        items: list = []
        for token in body:
            if token["type"] == "paragraph":
                lines = [line for line in _split_lines(token["children"], token["line"]) if not is_blank(line.tokens)]
                if lines:
                    items.append(_Para(lines))
            else:
                items.append(token)
        return items

    def _explicit_id(self, section: _Section, items: list) -> str:
        for token in section.heading["children"]:
            if _is_id_comment(token):
                return _EXPLICIT_ID.search(token["raw"]).group(1)
        found = next((m for m in map(_id_block, items) if m), None)
        return found.group(1) if found else ""

    def _multiple_choice(self, found: _Options, section: _Section, common: dict) -> Entry | None:
        if found.stem:
            common = dict(common, question=common["question"] + "\n" + self._render(found.stem))
        correct, said_at = found.checked, section.line
        if correct is None:
            for line in _lines(found.rest):
                hit = choices.find_correct(line.text, found.text)
                if hit:
                    correct, said_at = hit.index, line.line
                    break
        if correct is not None and not 0 <= correct < len(found.html):
            self.warn(said_at, f"the correct option ({correct + 1}) is out of range: the question has "
                      f"{len(found.html)} options", "correct-out-of-range",
                      "options count from 1 (or A) in the order they are written")
            correct = None
        explanation = self._render(_without_markers(found.rest))
        if correct is None and not explanation:
            self.warn(section.line, f"multiple-choice question has options but no answer: "
                      f"{_short(common['question_text'])}", "no-answer",
                      "write the answer after the options, e.g. 'The correct answer is option 2.'")
            return None
        if correct is None:
            self.warn(section.line, "multiple-choice question states no correct option; the card shows the "
                      "options and the explanation only", "no-correct-option",
                      "state it, e.g. 'The correct answer is B.'")
        answer = f"{chr(ord('A') + correct)}. {found.html[correct]}" if correct is not None else ""
        return Entry(answer=answer, explanation=explanation, options=tuple(found.html), correct=correct,
                     media=self._take_media(), **common)

    def _basic(self, items: list, common: dict) -> Entry | None:
        items = _strip_line_prefix(items, choices.detail_prefix)
        first = items[0] if items else None
        answer_items, rest = items, []
        if isinstance(first, _Para) and choices.answer_prefix(first.lines[0].text):
            labelled = _strip_line_prefix([first], choices.answer_prefix)
            if labelled and labelled[0].lines[0].line == first.lines[0].line:
                answer_items = [_Para(labelled[0].lines[:1])]
                rest = ([_Para(labelled[0].lines[1:])] if len(labelled[0].lines) > 1 else []) + items[1:]
            else:  # "Answer:" alone on its line: the answer is what follows
                return self._basic(labelled + items[1:], common) if labelled + items[1:] else self._no_answer(common)
        elif isinstance(first, _Para):
            short, remainder = _split_short_answer(first.lines[0])
            if short is not None:
                answer_items = [_Para([short])]
                rest = [_Para([remainder] + first.lines[1:])] + items[1:]
        answer = self._render(answer_items)
        if not answer or _PLACEHOLDER.match(_raw_text(answer_items[0]) if answer_items else ""):
            return self._no_answer(common)
        definition = self._definition(common["question_text"], answer_items)
        return Entry(answer=answer, explanation=self._render(rest), definition=definition,
                     media=self._take_media(), **common)

    def _no_answer(self, common: dict) -> None:
        self.warn(common["location"].line, f"question has no answer: {_short(common['question_text'])}",
                  "no-answer", "write the answer below the question, before the next heading or ***")
        return None

    def _cloze_entry(self, items: list, common: dict) -> Entry:
        raw = "".join(_raw_text(i) for i in items)
        self.renderer.next_cloze_from(raw)
        text = self._render(items)
        return Entry(answer=text, explanation="", cloze=text, media=self._take_media(), **common)

    def _take_media(self) -> tuple[str, ...]:
        used = tuple(dict.fromkeys(self.renderer.used_media))
        self.renderer.used_media.clear()
        return used

    # -- options ----------------------------------------------------------------------------
    def _options(self, items: list) -> _Options | None:
        for index, item in enumerate(items):
            if isinstance(item, dict) and item["type"] == "list" and _is_task_list(item):
                found = self._options_from_list(item, items[index + 1:], require_evidence=False)
                found.stem = items[:index]  # an image, table or code the options refer to
                return found
        first = items[0]
        if isinstance(first, _Para) and choices.answer_options_prefix(first.lines[0].text):
            return self._options_after_label(first, items[1:])
        if isinstance(first, dict) and first["type"] == "list":
            return self._options_from_list(first, items[1:], require_evidence=True)
        if isinstance(first, _Para):
            return self._options_from_lines(first, items[1:])
        return None

    def _options_after_label(self, para: _Para, after: list) -> _Options | None:
        label_line = para.lines[0]
        inline = label_line.text[choices.answer_options_prefix(label_line.text):].strip()
        if inline:
            texts = choices.split_inline_options(inline)
            if not texts:
                self.warn(label_line.line, "could not tell the options apart on this line", "unlabelled-options",
                          "label them A) B) C) or put one option per line")
                return None
            return _Options([html.escape(t, quote=False) for t in texts], texts, [_Para(para.lines[1:])] + after)
        lines = para.lines[1:]
        if not lines and after and isinstance(after[0], dict) and after[0]["type"] == "list":
            return self._options_from_list(after[0], after[1:], require_evidence=False)
        if not lines and after and isinstance(after[0], _Para):
            para, after, lines = after[0], after[1:], after[0].lines  # a blank line after the label
        taken = []
        for line in lines:
            if choices.find_correct(line.text, []) or choices.detail_prefix(line.text):
                break
            taken.append(line)
        if len(taken) < 2:
            return None
        rest_lines = lines[len(taken):]
        return self._option_lines(taken, ([_Para(rest_lines)] if rest_lines else []) + after)

    def _options_from_list(self, token: Token, after: list, require_evidence: bool) -> _Options | None:
        items = token["children"]
        if _is_task_list(token):
            checked = [n for n, i in enumerate(items) if i.get("attrs", {}).get("checked")]
            found = self._list_item_options(items, after, token.get("line", 0))
            found.checked = checked[0] if len(checked) == 1 else None
            return found
        labels = [choices.option_label(plain_text(i["children"]))[0] for i in items]
        if require_evidence and not choices.looks_like_option_list(labels):
            texts = [plain_text(i["children"]).strip() for i in items]
            if not any(choices.find_correct(line.text, texts) for line in _lines(after)):
                return None
        return self._list_item_options(items, after, token.get("line", 0))

    def _list_item_options(self, items: list[Token], after: list, first_line: int) -> _Options:
        html_options, texts = [], []
        for number, item in enumerate(items):
            children = item["children"]
            text = plain_text(children).strip()
            _label, cut = choices.option_label(text)
            if cut and children and "children" in children[0]:
                children = [dict(children[0], children=drop_chars(children[0]["children"], cut))] + children[1:]
            self.renderer.location = self.at(first_line + number)  # one option per line
            html_options.append(self.renderer.finish(self.renderer.blocks(children)))
            texts.append(text[cut:].strip())
        return _Options(html_options, texts, after)

    def _options_from_lines(self, para: _Para, after: list) -> _Options | None:
        """Options written as plain lines right after the question: labelled, or bare before the answer."""
        labelled = []
        for line in para.lines:
            if not choices.option_label(line.text)[0]:
                break
            labelled.append(line)
        if choices.looks_like_option_list([choices.option_label(l.text)[0] for l in labelled]):
            rest = para.lines[len(labelled):]
            return self._option_lines(labelled, ([_Para(rest)] if rest else []) + after)
        for n, line in enumerate(para.lines):
            if choices.find_correct(line.text, [l.text for l in para.lines[:n]]):
                return self._bare_options(para.lines[:n], [_Para(para.lines[n:])] + after)
        if after and isinstance(after[0], _Para) and choices.find_correct(after[0].lines[0].text, []):
            return self._bare_options(para.lines, after)  # options, a blank line, then the answer
        return None

    def _bare_options(self, lines: list[_Line], rest: list) -> _Options | None:
        if len(lines) >= 2 and all(len(l.text) <= _BARE_OPTION_CHARS and not l.text.endswith(":") for l in lines):
            return self._option_lines(lines, rest)
        return None

    def _option_lines(self, lines: list[_Line], rest: list) -> _Options:
        html_options, texts = [], []
        for line in lines:
            _label, cut = choices.option_label(line.text)
            tokens = drop_chars(lstrip_tokens(line.tokens), cut) if cut else line.tokens
            html_options.append(self.renderer.finish(self._inline_at(line.line, tokens)))
            texts.append(line.text[cut:].strip())
        return _Options(html_options, texts, rest)

    # -- cloze ------------------------------------------------------------------------------
    def _has_cloze_markup(self, items: list) -> bool:
        return any(_CLOZE_MARKUP.search(_raw_text(i)) or _has_token(i, "mark") for i in items)

    def _definition(self, question_text: str, answer_items: list) -> str:
        """"What is X?" answered by "X (Y) is ..." -> "{{c1::X (Y)}} is ..." (first sentence only)."""
        m = _WHAT_IS.match(question_text)
        if not m or not answer_items or not isinstance(answer_items[0], _Para):
            return ""
        sentence = _SENTENCE_END.split(answer_items[0].lines[0].text, maxsplit=1)[0]
        d = _DEFINITION.match(sentence)
        if not d or len(d.group("subject").split()) > 8:
            return ""
        subject_words = _words(re.sub(r"\([^)]*\)", " ", d.group("subject")))
        term_words = _words(m.group("term"))
        if not subject_words or not (subject_words <= term_words or term_words <= subject_words):
            return ""
        return "{{c1::%s}} %s %s" % (html.escape(d.group("subject"), quote=False), d.group("verb"),
                                     html.escape(d.group("rest"), quote=False))

    # -- rendering --------------------------------------------------------------------------
    def _render(self, items: list) -> str:
        parts = []
        for item in items:
            if isinstance(item, _Para):
                lines = [self._render_line(line) for line in item.lines if line.tokens]
                lines = [line for line in lines if line]
                if lines:
                    parts.append("<p>" + self._line_join.join(lines) + "</p>")
            else:
                self.renderer.location = self.at(item.get("line", 0))
                parts.append(self.renderer.blocks([item]))
        return self.renderer.finish("\n".join(p for p in parts if p.strip()))

    def _inline_at(self, line: int, tokens: list[Token]) -> str:
        self.renderer.location = self.at(line)
        return self.renderer.inline(tokens)

    def _render_line(self, line: _Line) -> str:
        self.renderer.location = self.at(line.line)
        tokens = lstrip_tokens(line.tokens)
        first = tokens[0] if tokens else None
        if first and first["type"] == "text":
            m = _LABEL_LINE.match(first["raw"])
            if m and len(m.group(1).split()) <= 7:
                rest = [dict(first, raw=first["raw"][m.end():])] + tokens[1:]
                body = self.renderer.inline(rest)
                return "<b>" + html.escape(m.group(1), quote=False) + ":</b>" + (" " + body if body else "")
        return self.renderer.inline(tokens)


# -- token helpers --------------------------------------------------------------------------
def _split_lines(children: list[Token], first_line: int) -> list[_Line]:
    """A paragraph's lines; a ``<br/>`` written at a line's end is that same line break."""
    lines = [_Line([], first_line)]
    for token in children:
        if token["type"] in ("softbreak", "linebreak"):
            lines.append(_Line([], lines[-1].line + 1))
        elif token["type"] == "inline_html" and _BR.match(token["raw"]):
            lines[-1].tokens.append({"type": "linebreak_html"})
        else:
            lines[-1].tokens.append(token)
    for line in lines:
        # a <br/> at the end of a line only repeats the line break; one inside the line stays
        while line.tokens and (line.tokens[-1]["type"] == "linebreak_html" or (
                line.tokens[-1]["type"] == "text" and not line.tokens[-1]["raw"].strip())):
            line.tokens.pop()
        line.tokens = [{"type": "linebreak"} if t["type"] == "linebreak_html" else t for t in line.tokens]
    return lines


def _lines(items: list):
    for item in items:
        if isinstance(item, _Para):
            yield from item.lines


def _rewrite_lines(items: list, rewrite) -> list:
    """Every paragraph line passed through ``rewrite(line)``; a line it empties goes, then an empty paragraph."""
    out = []
    for item in items:
        if not isinstance(item, _Para):
            out.append(item)
            continue
        lines = []
        for line in item.lines:
            new = rewrite(line)
            if new is line or new.text:
                lines.append(new)
        if lines:
            out.append(_Para(lines))
    return out


def _strip_line_prefix(items: list, prefix_length) -> list:
    """Remove a label such as "Detail:" from the start of every line; lines left empty go."""
    def strip(line: _Line) -> _Line:
        cut = prefix_length(line.text)
        return _Line(drop_chars(lstrip_tokens(line.tokens), cut), line.line) if cut else line
    return _rewrite_lines(items, strip)


def _without_markers(items: list) -> list:
    """The explanation: drop "Detail:" labels and sentences that only name the correct option."""
    def strip(line: _Line) -> _Line:
        span = choices.marker_sentence(line.text_raw)
        return _Line(lstrip_tokens(cut_chars(line.tokens, *span)), line.line) if span else line
    return _rewrite_lines(_strip_line_prefix(items, choices.detail_prefix), strip)


def _split_short_answer(line: _Line) -> tuple[_Line | None, _Line | None]:
    """"To prevent overfitting. Dropout is ..." -> the short answer and the elaboration."""
    tokens = lstrip_tokens(line.tokens)
    if not tokens or tokens[0]["type"] != "text":
        return None, None
    parts = _SENTENCE_END.split(tokens[0]["raw"], maxsplit=1)
    if len(parts) < 2 or len(parts[0].split()) > _SHORT_ANSWER_WORDS or not parts[0].endswith("."):
        return None, None
    short = _Line([dict(tokens[0], raw=parts[0])], line.line)
    rest = _Line([dict(tokens[0], raw=parts[1])] + tokens[1:], line.line)
    return short, rest


def _raw_text(item) -> str:
    if isinstance(item, _Para):
        return " ".join(line.text for line in item.lines)
    return plain_text(item.get("children", [])) + item.get("raw", "")


def _has_token(item, kind: str) -> bool:
    tokens: list[Any] = [t for line in item.lines for t in line.tokens] if isinstance(item, _Para) else [item]
    while tokens:
        token = tokens.pop()
        if token.get("type") == kind:
            return True
        tokens.extend(token.get("children", []))
    return False


def _unwrap_details(body: list[Token]) -> tuple[list[Token], list[Token]]:
    """``<details><summary>Show Answer</summary> ... </details>``: the part of the question written
    before it (a stem) and the hidden answer itself; ([], body) when the body is not written so."""
    start = next((i for i, b in enumerate(body) if b["type"] == "block_html" and _DETAILS_OPEN.match(b["raw"])), None)
    if start is None or body[-1]["type"] != "block_html" or not _DETAILS_CLOSE.search(body[-1]["raw"]):
        return [], body
    opened = body[start:]
    first = dict(opened[0], raw=opened[0]["raw"][_DETAILS_OPEN.match(opened[0]["raw"]).end():])
    if len(opened) == 1:
        first["raw"] = first["raw"][:_DETAILS_CLOSE.search(first["raw"]).start()]
        answer = [first]
    else:
        last = dict(opened[-1], raw=opened[-1]["raw"][:_DETAILS_CLOSE.search(opened[-1]["raw"]).start()])
        answer = [first] + opened[1:-1] + [last]
    return body[:start], [b for b in answer if b["type"] != "block_html" or b["raw"].strip()]


def _is_task_list(token: Token) -> bool:
    return any(item["type"] == "task_list_item" for item in token["children"])


def _id_block(item) -> re.Match | None:
    """``<!-- mlanki-id: NAME -->`` written as a block of its own in an answer."""
    if isinstance(item, dict) and item["type"] == "block_html":
        return _EXPLICIT_ID.fullmatch(item.get("raw", "").strip())
    return None


def _is_id_comment(token: Token) -> bool:
    return token["type"] == "inline_html" and bool(_EXPLICIT_ID.search(token.get("raw", "")))


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.casefold()) if w not in _ARTICLES}


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _by_place(diagnostic: Diagnostic) -> Location:
    return diagnostic.location


def _moved_location(location: Location, shift: int) -> Location:
    return replace(location, line=location.line + shift)


def _moved(diagnostic: Diagnostic, shift: int) -> Diagnostic:
    return replace(diagnostic, location=_moved_location(diagnostic.location, shift))
