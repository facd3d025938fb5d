"""Which recorded note each entry continues: explicit id, exact question, same content, then edits.

The order matters and is pinned by tests: an explicit id always wins and owns its note; the same
normalised question is the same note; identical content (a record restored from a package,
which cannot say which heading a cloze came from) is the same note; only then is an edited
question recognised, and only on strong evidence (a similar question, the same answer, the same
neighbour). Two candidates that are close is an error, never a guess. An entry with an explicit
id the record does not know is a new note: that is how an author settles an ambiguity.

Work is bounded on any input: keys are compared on their first ``_KEY_CHARS`` characters,
candidates come from answer and rare-word buckets, and the cheap upper bounds of difflib are
tried before its ratio.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict

from mlanki.entries import ERROR, Diagnostic
from mlanki.record import RecordedNote

_STOPWORDS = {"what", "is", "are", "the", "a", "an", "of", "in", "to", "for", "and", "or", "how", "does", "do", "which", "why"}
_MAX_WORD_FANOUT = 50     # a word shared by more notes than this says nothing about which one
_MAX_CANDIDATES = 200     # per entry, after bucketing
_KEY_CHARS = 400          # similarity is judged on this much of a question
STRONG = 1.0              # evidence at or above this continues a note
_CLOSE = 0.15             # two candidates this close are ambiguous


def match(recorded: list[RecordedNote], specs: list, diagnostics: list[Diagnostic]) -> dict[int, RecordedNote]:
    """Position in ``specs`` -> recorded note it continues. Ambiguities become error diagnostics."""
    by_explicit = {n.explicit_id: n for n in recorded if n.explicit_id}
    by_key = {}
    for note in sorted(recorded, key=lambda n: (n.status != "active", n.id)):
        by_key.setdefault((note.role, note.key), note)  # an active, older note first
    matches: dict[int, RecordedNote] = {}
    used: set[str] = set()
    for position, spec in enumerate(specs):
        explicit = spec.entry.explicit_id
        note = by_explicit.get(explicit) if explicit else None
        if note is not None and note.role != spec.role:
            note = next((n for n in recorded if n.explicit_id == explicit and n.role == spec.role), None)
        if note is None:
            note = by_key.get((spec.role, spec.key))
            if note is not None and note.explicit_id and note.explicit_id != explicit:
                note = None  # that note belongs to another explicit id
        if note is not None and note.guid not in used:
            matches[position] = note
            used.add(note.guid)
    _match_same_content(specs, recorded, matches, used)
    unmatched = [p for p in range(len(specs)) if p not in matches and not _is_new_id(specs[p], by_explicit)]
    left = [n for n in recorded if n.guid not in used and not n.explicit_id]
    if unmatched and left:
        _match_edited(specs, unmatched, left, matches, diagnostics)
    return matches


def _is_new_id(spec, by_explicit: dict) -> bool:
    return bool(spec.entry.explicit_id) and spec.entry.explicit_id not in by_explicit


def _match_same_content(specs, recorded, matches, used) -> None:
    """An entry whose content hash is that of exactly one unclaimed note, and no other entry's, is it."""
    notes = defaultdict(list)
    for note in recorded:
        if note.guid not in used and note.content:
            notes[(note.role, note.content)].append(note)
    wanted = defaultdict(list)
    for position, spec in enumerate(specs):
        if position not in matches:
            wanted[(spec.role, spec.content_hash)].append(position)
    for key, positions in wanted.items():
        found = notes.get(key, [])
        if len(positions) == 1 and len(found) == 1 and not (found[0].explicit_id and
                                                              found[0].explicit_id != specs[positions[0]].entry.explicit_id):
            matches[positions[0]] = found[0]
            used.add(found[0].guid)


def _match_edited(specs, unmatched, left, matches, diagnostics) -> None:
    """Recognise edited questions: strong evidence or no match; two close candidates is an error."""
    by_answer = defaultdict(list)
    by_word = defaultdict(list)
    for note in left:
        by_answer[(note.role, note.answer)].append(note)
        for word in content_words(note.key):
            by_word[word].append(note)
    guid_of_position = {p: n.guid for p, n in matches.items()}
    claims: dict[str, list[int]] = defaultdict(list)
    chosen: dict[int, RecordedNote] = {}
    for position in unmatched:
        spec = specs[position]
        candidates = {n.guid: n for n in by_answer.get((spec.role, spec.answer_hash), [])}
        for word in sorted(content_words(spec.key)):
            bucket = by_word.get(word, [])
            if len(bucket) <= _MAX_WORD_FANOUT:
                candidates.update((n.guid, n) for n in bucket if n.role == spec.role)
            if len(candidates) >= _MAX_CANDIDATES:
                break
        neighbour = guid_of_position.get(position - 1, "")
        scored = sorted(((evidence(spec, n, neighbour), n.guid, n) for n in candidates.values()), reverse=True)
        strong = [(score, n) for score, _g, n in scored if score >= STRONG]
        if any(n.status == "active" for _s, n in strong):
            strong = [(score, n) for score, n in strong if n.status == "active"]  # a live note before a retired one
        if not strong:
            continue
        if len(strong) > 1 and strong[1][0] >= strong[0][0] - _CLOSE:
            others = "; ".join(f"'{n.question}'" for _s, n in strong[:3])
            diagnostics.append(Diagnostic(spec.entry.location, ERROR,
                f"cannot tell which earlier question this edited question continues: {others}",
                hint="give it a new <!-- mlanki-id: NAME --> to make it a new note, or keep its wording closer to "
                     "the one it continues", code="ambiguous-identity"))
            continue
        chosen[position] = strong[0][1]
        claims[strong[0][1].guid].append(position)
    for guid, positions in claims.items():
        if len(positions) > 1:
            where = ", ".join(str(specs[p].entry.location) for p in positions)
            for p in positions:
                diagnostics.append(Diagnostic(specs[p].entry.location, ERROR,
                    f"several edited questions ({where}) could continue the earlier question '{chosen[p].question}'",
                    hint="give the new one(s) <!-- mlanki-id: NAME --> (an entry with a new id is a new note)",
                    code="ambiguous-identity"))
        else:
            matches[positions[0]] = chosen[positions[0]]


def evidence(spec, note: RecordedNote, neighbour: str) -> float:
    """1.0 or more is strong evidence that ``spec`` is ``note`` edited."""
    if note.kind.split(":", 1)[0].removeprefix("foreign-") != spec.kind or note.role != spec.role:
        return 0.0
    a, b = spec.key[:_KEY_CHARS], note.key[:_KEY_CHARS]
    similarity = max(_ratio(a, b), jaccard(a, b))
    same_answer = note.answer == spec.answer_hash
    same_neighbour = bool(neighbour) and note.after == neighbour
    score = similarity / 0.85                      # a typo fix or small rewording alone
    if same_answer:
        score = max(score, 0.6 + similarity)       # a rewording that kept its answer
    if same_neighbour:
        score = max(score, similarity / 0.6)       # an edit in place, next to the same question
    return score


def _ratio(a: str, b: str) -> float:
    """difflib's ratio, skipped when even its upper bound could not matter (below 0.4)."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < 0.4 or matcher.quick_ratio() < 0.4:
        return 0.0
    return matcher.ratio()


def content_words(key: str) -> set[str]:
    return {w for w in re.findall(r"\w+", key[:_KEY_CHARS]) if w not in _STOPWORDS and len(w) > 2}


def jaccard(a: str, b: str) -> float:
    wa, wb = content_words(a), content_words(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0
