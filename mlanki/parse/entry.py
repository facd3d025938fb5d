"""Entry analysis: one question section to an ``Entry``.

The body is read in this order: an explicit id, cloze markup, multiple-choice options (``options``)
with the sentence naming the correct one, else a basic answer (``Answer:``, a short first sentence,
or the whole body) and, for "What is X?" entries, a definition cloze.
"""

from __future__ import annotations

import html
import re

from mlanki import choices
from mlanki.entries import Entry
from mlanki.parse.fields import FieldWriter, inline_markdown, markdown, option_answer
from mlanki.parse.lines import (Line, Para, first_sentence, has_token, items_of, lines_of, raw_text, rewrite_lines,
                                split_short_answer, strip_line_prefix, without_markers, without_navigation)
from mlanki.parse.options import OptionReader, Options, plain_options
from mlanki.parse.prompts import Prompts
from mlanki.parse.repair import math_images, repair_math
from mlanki.parse.sections import Section, unwrap_details
from mlanki.syntax import Token, drop_chars, plain_text

_PLACEHOLDER = re.compile(r"^\s*(answer\s+here|todo|tbd|to\s+do|\.\.\.|…)\s*[.!]?\s*$", re.IGNORECASE)
_EXPLICIT_ID = re.compile(r"<!--\s*mlanki-id\s*:\s*([\w.:-]+)\s*-->", re.IGNORECASE)
_CLOZE_MARKUP = re.compile(r"\{\{c\d+::")
_WHAT_IS = re.compile(r"^what\s+(?:is|are)\s+(?:an?\s+|the\s+)?(?P<term>.+?)\s*\??$", re.IGNORECASE)
_DEFINITION = re.compile(r"^(?P<subject>.+?)\s+(?P<verb>is|are|refers to|means)\s+(?P<rest>.+)$")
_ARTICLES = {"a", "an", "the"}
_TERM = re.compile(r"^(?P<article>(?:the|an?)\s+)?(?P<term>[^()]+?)(?P<aside>\s*\([^()]*\))?$", re.IGNORECASE)
_EMPTY_BOLD_START, _EMPTY_BOLD_END = re.compile(r"^\s*\*{4,}"), re.compile(r"\*{4,}\s*$")
_DEFINITION_MIN_WORDS = 6  # a definition shorter than this does not single out its term
_DIRECT_CHARS = 160  # an "Answer:" line up to this long is a direct answer (bold); a longer one is prose


class EntryReader:
    """Reads question sections into entries; problems go to the writer's findings."""

    def __init__(self, writer: FieldWriter, math_repair: bool = True) -> None:
        self.writer = writer
        self.math_repair = math_repair
        self.findings = writer.findings
        self.options = OptionReader(writer)
        self.prompts = Prompts()

    def read(self, section: Section, body: list[Token], topic: str) -> Entry | None:
        """The entry of one question section, or None (a placeholder, or no usable answer)."""
        stem, body = unwrap_details(body)
        items, repaired = math_images(without_navigation(items_of(body)), self.findings), {}
        if self.math_repair:
            items, repaired = repair_math(items, plain_text(section.heading["children"]), self.findings)
        self.findings.lint_lines(items, repaired)
        explicit_id = _explicit_id(section, items)
        items = [i for i in items if not _id_block(i)]
        if not items:
            return None  # a placeholder heading with no body is not a card
        heading_tokens = [t for t in section.heading["children"] if not _is_id_comment(t)]
        question_text, heading_options = choices.split_heading_options(plain_text(heading_tokens).strip())
        if heading_options:
            question, question_md = html.escape(question_text, quote=False), question_text
        else:
            question = self.writer.renderer.finish(self.writer.inline_at(section.line, _blanks(heading_tokens)))
            question_md = inline_markdown(heading_tokens)
        prompt = self.prompts.prompt(question_text, question)
        if prompt:
            self.findings.notice(section.line, f"the heading is only a label; the card asks: {prompt}",
                                 "label-prompt", hint="write the heading as a question to choose the wording")
            question = prompt
        if stem:
            stem_items = items_of(stem)
            question = question + "\n" + self.writer.html(stem_items)
            question_md = question_md + "\n\n" + markdown(stem_items)
        common = dict(question=question, question_md=question_md, question_text=question_text, topic=topic,
                      location=self.findings.at(section.line), explicit_id=explicit_id)

        if _has_cloze_markup(items):
            return self._cloze(items, common)
        found = plain_options(heading_options, items) if heading_options else self.options.find(items, question_text)
        if not found and choices.is_true_false(question_text):
            found = plain_options(list(choices.TRUE_FALSE), items)
        if found:
            return self._multiple_choice(found, section, common)
        return self._basic(items, common)

    def _multiple_choice(self, found: Options, section: Section, common: dict) -> Entry | None:
        if found.stem:
            common = dict(common, question=common["question"] + "\n" + self.writer.html(found.stem),
                          question_md=common["question_md"] + "\n\n" + markdown(found.stem))
        correct, said_at = found.checked, section.line
        if correct is None:
            for line in lines_of(found.rest):
                hit = choices.find_correct(line.text, found.text)
                if hit:
                    correct, said_at = hit.index, line.line
                    break
        rest = found.rest
        if correct is None and list(found.text) == list(choices.TRUE_FALSE):
            correct, rest = _verdict(rest)
        if correct is None:
            correct = self._inferred(found, section)
        if correct is not None and not 0 <= correct < len(found.html):
            self.findings.warn(said_at, f"the correct option ({correct + 1}) is out of range: the question has "
                               f"{len(found.html)} options", "correct-out-of-range",
                               "options count from 1 (or A) in the order they are written")
            correct = None
        explanation_items = without_markers(rest)
        explanation = self.writer.html(explanation_items)
        if correct is None and not explanation:
            self.findings.warn(section.line, f"multiple-choice question has options but no answer: "
                               f"{_short(common['question_text'])}", "no-answer",
                               "write the answer after the options, e.g. 'The correct answer is option 2.'")
            return None
        if correct is None:
            self.findings.warn(section.line, "multiple-choice question states no correct option; the card shows "
                               "the options and the explanation only", "no-correct-option",
                               "state it, e.g. 'The correct answer is B.'")
        answer = answer_md = ""
        if correct is not None:
            letter = chr(ord("A") + correct)
            answer, answer_md = option_answer(letter, found.html[correct]), f"{letter}. {found.markdown[correct]}"
        return Entry(answer=answer, answer_md=answer_md, explanation=explanation,
                     explanation_md=markdown(explanation_items), options=tuple(found.html),
                     options_md=tuple(found.markdown), correct=correct, media=self.writer.take_media(), **common)

    def _inferred(self, found: Options, section: Section) -> int | None:
        """The one option the explanation names, reported to ``mlanki check``; None for none or several."""
        text = " ".join(line.text for line in lines_of(found.rest))
        named = choices.named_options(text, found.text)
        if len(named) != 1:
            return None
        index = named[0]
        self.findings.notice(section.line, f"correct option inferred from the explanation: "
                             f"{chr(ord('A') + index)}) {_short(found.text[index])}", "inferred-correct-option",
                             hint="state it, e.g. 'The correct answer is B.', if this is not the one")
        return index

    def _basic(self, items: list, common: dict) -> Entry | None:
        items = strip_line_prefix(items, choices.detail_prefix)
        first = items[0] if items else None
        answer_items, rest, direct = items, [], False
        if isinstance(first, Para) and choices.answer_prefix(first.lines[0].text):
            labelled = strip_line_prefix([first], choices.answer_prefix)
            if labelled and labelled[0].lines[0].line == first.lines[0].line:
                answer_items = [Para(labelled[0].lines[:1])]
                direct = len(answer_items[0].lines[0].text) <= _DIRECT_CHARS
                rest = ([Para(labelled[0].lines[1:])] if len(labelled[0].lines) > 1 else []) + items[1:]
            else:  # "Answer:" alone on its line: the answer is what follows
                return self._basic(labelled + items[1:], common) if labelled + items[1:] else self._no_answer(common)
        elif isinstance(first, Para):
            short, remainder = split_short_answer(first.lines[0])
            if short is not None:
                answer_items, direct = [Para([short])], True
                rest = [Para([remainder] + first.lines[1:])] + items[1:]
        answer = self.writer.direct(answer_items) if direct else self.writer.html(answer_items)
        if not answer or _PLACEHOLDER.match(raw_text(answer_items[0]) if answer_items else ""):
            return self._no_answer(common)
        definition, context = _definition(common["question_text"], answer_items)
        return Entry(answer=answer, answer_md=markdown(answer_items), explanation=self.writer.html(rest),
                     explanation_md=markdown(rest), definition=definition, definition_context=context,
                     media=self.writer.take_media(), **common)

    def _no_answer(self, common: dict) -> None:
        self.findings.warn(common["location"].line, f"question has no answer: {_short(common['question_text'])}",
                           "no-answer", "write the answer below the question, before the next heading or ***")
        return None

    def _cloze(self, items: list, common: dict) -> Entry:
        self.writer.renderer.next_cloze_from("".join(raw_text(i) for i in items))
        text = self.writer.html(items)
        return Entry(answer=text, answer_md=markdown(items), explanation="", cloze=text,
                     media=self.writer.take_media(), **common)


def _verdict(items: list) -> tuple[int | None, list]:
    """"Detail: False. Dropout only ..." -> (index of False, the explanation without the verdict)."""
    items = strip_line_prefix(strip_line_prefix(items, choices.detail_prefix), choices.answer_prefix)
    first = items[0] if items else None
    if not isinstance(first, Para):
        return None, items
    found = choices.verdict(first.lines[0].text_raw)
    if found is None:
        return None, items
    index, cut = found
    line = first.lines[0]
    lines = [Line(drop_chars(line.tokens, cut), line.line)] + first.lines[1:]
    return index, rewrite_lines([Para(lines)], lambda l: l) + items[1:]


def _blanks(tokens: list[Token]) -> list[Token]:
    """The heading as shown: a fill-in blank ``**\\_**`` (what Markdown formatters make of ``___``) is a
    bold underscore that reads as nothing, so it becomes ``_____``; an empty bold ``****`` at either end
    is dropped. The question's text (its identity) stays as written."""
    shown = [{"type": "text", "raw": "_____"}
             if t["type"] in ("strong", "emphasis") and set(plain_text(t["children"])) == {"_"} else t
             for t in tokens]
    for at, empty in ((0, _EMPTY_BOLD_START), (-1, _EMPTY_BOLD_END)):
        if shown and shown[at]["type"] == "text" and empty.search(shown[at]["raw"]):
            shown[at] = dict(shown[at], raw=empty.sub("", shown[at]["raw"]))
    return shown


def _has_cloze_markup(items: list) -> bool:
    return any(_CLOZE_MARKUP.search(raw_text(i)) or has_token(i, "mark") for i in items)


def _definition(question_text: str, answer_items: list) -> tuple[str, str]:
    """"What is X?" answered by "The X (Y) is ..." -> ("The {{c1::X}} (Y) is ...", the rest of that line).

    The deletion is the term itself: a leading article and a parenthetical stay visible. The back
    shows the completed sentence and then the sentences that follow it, never a second question.
    """
    m = _WHAT_IS.match(question_text)
    if not m or not answer_items or not isinstance(answer_items[0], Para):
        return "", ""
    line = answer_items[0].lines[0].text
    sentence = first_sentence(line)
    d = _DEFINITION.match(sentence)
    if not d or len(d.group("subject").split()) > 8 or len(d.group("rest").split()) < _DEFINITION_MIN_WORDS:
        return "", ""  # a long subject is no term; a short rest ("is predicting masks.") fits many terms
    subject = d.group("subject")
    subject_words = _words(re.sub(r"\([^)]*\)", " ", subject))
    term_words = _words(m.group("term"))
    if not subject_words or not (subject_words <= term_words or term_words <= subject_words):
        return "", ""
    t = _TERM.match(subject)
    article, term, aside = (t.group("article") or "", t.group("term"), t.group("aside") or "") if t else ("", subject, "")
    text = "%s{{c1::%s}}%s %s %s" % (html.escape(article, quote=False), html.escape(term, quote=False),
                                       html.escape(aside, quote=False), d.group("verb"),
                                       html.escape(d.group("rest"), quote=False))
    context = line[len(sentence):].strip()
    return text, ("<p>" + html.escape(context, quote=False) + "</p>" if context else "")


def _explicit_id(section: Section, items: list) -> str:
    for token in section.heading["children"]:
        if _is_id_comment(token):
            return _EXPLICIT_ID.search(token["raw"]).group(1)
    found = next((m for m in map(_id_block, items) if m), None)
    return found.group(1) if found else ""


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
    """``text`` cut to ``limit`` characters at a word boundary (never mid-word), marked with …."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    words = cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut
    return words.rstrip(" ,;:") + "…"
