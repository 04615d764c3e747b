"""The coder's word lists, read from the data files next to this module.

spaCy's lemmatizer is left out of the pipeline (see understand/nlp.py), so base forms come
from here: every trigger and group word is expanded to its regular inflections once, plus the
irregular forms listed in ``irregular.tsv``; other words fall back to a small suffix stripper.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Rule:
    """One trigger row: a phrase, its head word and what it codes."""

    words: tuple[str, ...]  # base forms
    head: int  # index of the word that is the trigger token
    pos: str  # V | N
    type: str
    mode: str | None
    cameo: str | None
    obj: frozenset[str]  # empty: no object condition


@dataclass(frozen=True)
class Group:
    canonical: str
    sector: str
    flag: str  # place | title | ""


@dataclass(frozen=True)
class Lexicon:
    rules: dict[str, list[Rule]]  # head base form -> rules, object-conditioned first
    groups: dict[str, Group]
    contexts: dict[str, str]
    request_modes: dict[str, str]
    cues: dict[str, frozenset[str]]  # word -> classes (light, happen, promise, future, ...)
    forms: dict[str, str]  # inflected form -> base form
    crosswalk: dict[tuple[str, str], tuple[str, str | None]]  # (type, mode) -> (cameo, acled)


def _rows(name: str) -> list[list[str]]:
    text = files("dateline.events").joinpath("data", name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append([cell.strip() for cell in line.split("\t")])
    return rows


def _cell(row: list[str], i: int) -> str:
    return row[i] if i < len(row) else ""


def _rule(row: list[str]) -> Rule:
    raw = _cell(row, 0).split()
    head = next((i for i, w in enumerate(raw) if w.startswith("*")), 0)
    words = tuple(w.lstrip("*").lower() for w in raw)
    obj = frozenset(w for w in _cell(row, 5).split("|") if w)
    return Rule(words, head, _cell(row, 1), _cell(row, 2), _cell(row, 3) or None,
                _cell(row, 4) or None, obj)  # fmt: skip


def inflections(base: str) -> set[str]:
    """Regular verb and noun forms of ``base`` (over-generation is harmless: keys only)."""
    forms = {base, base + "s", base + "es", base + "ed", base + "ing", base + "d"}
    if base.endswith("e"):
        forms |= {base[:-1] + "ing", base[:-1] + "ion"}
    if base.endswith("y") and len(base) > 2 and base[-2] not in "aeiou":
        forms |= {base[:-1] + "ied", base[:-1] + "ies"}
    if len(base) > 2 and base[-1] not in "aeiouwxy" and base[-2] in "aeiou":
        forms |= {base + base[-1] + "ed", base + base[-1] + "ing"}  # stopped, shelling
    return forms


def strip_suffix(word: str) -> str:
    """A crude base form for words no list knows (used as a key, never shown)."""
    for suffix, repl in (
        ("ies", "y"),
        ("ied", "y"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


@cache
def load_lexicon() -> Lexicon:
    rules: dict[str, list[Rule]] = {}
    for row in _rows("triggers.tsv"):
        rule = _rule(row)
        rules.setdefault(rule.words[rule.head], []).append(rule)
    for key in rules:  # object-conditioned rows first, then longer phrases
        rules[key].sort(key=lambda r: (not r.obj, -len(r.words)))
    groups = {r[0]: Group(r[1], r[2], _cell(r, 3)) for r in _rows("groups.tsv")}
    contexts = {r[0]: r[1] for r in _rows("contexts.tsv")}
    request_modes = {r[0]: r[1] for r in _rows("request_modes.tsv")}
    cue_sets: dict[str, set[str]] = {}
    for word, cls in _rows("cues.tsv"):
        cue_sets.setdefault(word, set()).add(cls)
    cues = {w: frozenset(c) for w, c in cue_sets.items()}
    crosswalk = {(r[0], r[1]): (r[2], r[3] or None) for r in _rows("crosswalk.tsv")}
    forms: dict[str, str] = {}
    bases = {w for rs in rules.values() for r in rs for w in r.words} | set(groups)
    bases |= (
        {w for r in rules.values() for rule in r for w in rule.obj} | set(request_modes) | set(cues)
    )
    for base in sorted(bases):
        for form in inflections(base):
            forms.setdefault(form, base)
    for base in bases:  # a base form is always itself ("sentence" is not "sent" + "ence")
        forms[base] = base
    for form, base in _rows("irregular.tsv"):
        forms[form] = base
    return Lexicon(rules, groups, contexts, request_modes, cues, forms, crosswalk)


def base_form(word: str, lexicon: Lexicon) -> str:
    lower = word.lower()
    return lexicon.forms.get(lower) or strip_suffix(lower)
