"""Score the quote finder on PolNeAR (Newell, Margolin & Ruths, LREC 2018).

PolNeAR marks every attribution in 1,008 US political news articles: a Source, a Cue and
one or more Content spans (brat standoff, one ``.ann`` per article and annotator; the
first in file-name order is used when several people annotated an article). Attribution
there is broad: statements, but also beliefs, intentions, decrees and knowledge.

Units. A gold unit is one attribution (all its content segments). A system unit is the
quotes :func:`~dateline.understand.quotes.find_quotes` returns that share one cue (a quote
continued over paragraphs, or the quoted fragments of one reported statement, are one
attribution in PolNeAR too); a quote without a cue is a unit of its own.

Scores, each for (a) direct quotes and (b) all attributions:

- span overlap: a system unit matches a gold unit when a content span of one overlaps a
  content span of the other; matching is one-to-one, largest overlap first. P = matched /
  system units, R = matched / gold units. For (a) gold units are those whose content holds
  two or more quote marks, system units those made of quotes with ``direct=True``.
- speaker accuracy, over matched pairs whose gold attribution has a Source: correct when
  the system speaker span overlaps the gold Source span; or, when the gold Source is a
  pronoun ("he", "they", "who"), when the system speaker overlaps the gold Source's
  antecedent or its canonical name shares a word with it. The corpus has no coreference, so
  the antecedent is approximated by the nearest earlier gold Source that is not a pronoun.
  This undercounts correct resolutions whose antecedent never spoke before.
  ``speaker_accuracy_v2`` (reported beside it, never instead of it) makes two principled
  corrections: a "he"/"she" skips earlier sources its own words show it cannot refer to
  (a title of the other gender, "Mrs. Clinton" for "he"; an institution, a document or a
  plural, "The New York Times", "the poll", "officials"), and a relative pronoun ("Clinton,
  who said ...") takes the phrase it follows: the system speaker counts when it ends in the
  same sentence at most 80 characters before the pronoun.

Speed is the time of ``find_quotes`` alone (the parse and the entity linking excluded), in
milliseconds per 1,000 whitespace-separated words.

Run ``python -m dateline.evaluate.polnear [--data DIR] [--split train|dev|all] [--limit N]``.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dateline.model import Quote

DEFAULT_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "eval" / "quotes" / "polnear"
SPLITS = ("train", "dev")
BATCH_SIZE = 16
PRONOUNS = frozenset(
    [
        "he",
        "she",
        "they",
        "it",
        "we",
        "i",
        "you",
        "him",
        "her",
        "them",
        "us",
        "who",
        "which",
        "that",
        "his",
        "its",
        "their",
    ]
)
_QUOTE_MARK = re.compile(r"``|''|[\"“”„«»]")

Span = tuple[int, int]


@dataclass(frozen=True)
class GoldAttribution:
    contents: tuple[Span, ...]
    source: Span | None
    source_text: str
    direct: bool


@dataclass(frozen=True)
class Document:
    name: str
    text: str
    gold: list[GoldAttribution]


@dataclass
class Unit:
    """System quotes sharing a cue: one attribution."""

    contents: list[Span]
    speaker: Span | None
    canonical: str | None


# --------------------------------------------------------------------------- reading


def load_split(data_dir: Path, split: str, limit: int | None = None) -> list[Document]:
    """The articles of one split, each with its first annotator's attributions."""
    folder = data_dir / "data" / split
    first: dict[str, Path] = {}
    for path in sorted((folder / "attributions").glob("*.ann")):
        first.setdefault(path.stem.rsplit("_", 1)[0], path)
    documents = []
    for name, path in sorted(first.items())[:limit]:
        text = (folder / "text" / f"{name}.txt").read_text(encoding="utf-8")
        documents.append(Document(name, text, parse_ann(path.read_text(encoding="utf-8"), text)))
    return documents


def parse_ann(ann: str, text: str) -> list[GoldAttribution]:
    """brat standoff: text-bound ``T`` spans, and ``E`` lines tying them into attributions."""
    spans: dict[str, tuple[Span, ...]] = {}
    relations: list[list[tuple[str, str]]] = []
    for line in ann.splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 2:
            _, _, offsets = fields[1].partition(" ")
            spans[fields[0]] = tuple(_offsets(offsets))
        elif line.startswith("E") and len(fields) >= 2:
            relations.append([tuple(arg.split(":", 1)) for arg in fields[1].split() if ":" in arg])  # type: ignore[misc]
    gold = []
    for args in relations:
        contents = tuple(
            s for role, t in args if role.startswith("Content") for s in spans.get(t, ())
        )
        sources = [s for role, t in args if role.startswith("Source") for s in spans.get(t, ())]
        if not contents:
            continue
        source = (min(s[0] for s in sources), max(s[1] for s in sources)) if sources else None
        content_text = " ".join(text[s:e] for s, e in contents)
        direct = len(_QUOTE_MARK.findall(content_text)) >= 2
        source_text = text[source[0] : source[1]] if source else ""
        gold.append(GoldAttribution(contents, source, source_text, direct))
    return gold


def _offsets(text: str) -> Iterable[Span]:
    for part in text.split(";"):
        start, end = part.split()
        yield int(start), int(end)


# --------------------------------------------------------------------------- system


def run_system(texts: Sequence[str]) -> tuple[list[list[Quote]], float]:
    """Quotes for each text, and the seconds spent in ``find_quotes`` alone."""
    from dateline.understand.entities import link_entities, load_kb
    from dateline.understand.nlp import load_nlp
    from dateline.understand.quotes import find_quotes

    nlp, kb = load_nlp(), load_kb()
    results: list[list[Quote]] = []
    spent = 0.0
    for doc in nlp.pipe(texts, batch_size=BATCH_SIZE):
        entities = link_entities(doc, kb)
        began = time.perf_counter()
        results.append(find_quotes(doc, entities))
        spent += time.perf_counter() - began
    return results, spent


def units(quotes: list[Quote], direct_only: bool) -> list[Unit]:
    grouped: dict[tuple[int, int] | int, Unit] = {}
    for n, quote in enumerate(quotes):
        if direct_only and not quote.direct:
            continue
        key: tuple[int, int] | int = (quote.cue.start, quote.cue.end) if quote.cue else n
        unit = grouped.get(key)
        if unit is None:
            speaker = (quote.speaker.start, quote.speaker.end) if quote.speaker else None
            canonical = quote.speaker.canonical if quote.speaker else None
            grouped[key] = Unit([(quote.start, quote.end)], speaker, canonical)
        else:
            unit.contents.append((quote.start, quote.end))
    return list(grouped.values())


# --------------------------------------------------------------------------- scoring


def _overlap(a: Sequence[Span], b: Sequence[Span]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def match(system: list[Unit], gold: list[GoldAttribution]) -> list[tuple[Unit, GoldAttribution]]:
    """One-to-one, largest character overlap first."""
    pairs = [
        (size, i, j)
        for i, unit in enumerate(system)
        for j, attribution in enumerate(gold)
        if (size := _overlap(unit.contents, attribution.contents)) > 0
    ]
    pairs.sort(reverse=True)
    used_s: set[int] = set()
    used_g: set[int] = set()
    matched = []
    for _, i, j in pairs:
        if i not in used_s and j not in used_g:
            used_s.add(i)
            used_g.add(j)
            matched.append((system[i], gold[j]))
    return matched


def speaker_correct(unit: Unit, gold: GoldAttribution, antecedent: GoldAttribution | None) -> bool:
    if unit.speaker is None or gold.source is None:
        return False
    if _overlap([unit.speaker], [gold.source]):
        return True
    if gold.source_text.strip().lower() not in PRONOUNS or antecedent is None:
        return False
    assert antecedent.source is not None
    if _overlap([unit.speaker], [antecedent.source]):
        return True
    words = {w.lower() for w in re.findall(r"[A-Za-z][\w'-]{2,}", unit.canonical or "")}
    return bool(words & {w.lower() for w in re.findall(r"[\w'-]+", antecedent.source_text)})


def antecedents(
    gold: list[GoldAttribution], compatible: bool = False
) -> dict[int, GoldAttribution | None]:
    """For each attribution (by id), the nearest earlier non-pronoun gold source; with
    ``compatible``, the nearest one a personal pronoun could refer to (see ``_fits``)."""
    found: dict[int, GoldAttribution | None] = {}
    named = sorted(
        (g for g in gold if g.source and g.source_text.strip().lower() not in PRONOUNS),
        key=lambda g: g.source[0] if g.source else 0,
    )
    for attribution in gold:
        if attribution.source is None:
            continue
        pronoun = attribution.source_text.strip().lower()
        before = [g for g in named if g.source and g.source[0] < attribution.source[0]]
        if compatible and pronoun in _GENDERED:
            before = [g for g in before if _fits(g.source_text, _GENDERED[pronoun])]
        found[id(attribution)] = before[-1] if before else None
    return found


# v2 of the speaker metric: what a gold source's own words show it cannot be
_GENDERED = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}
_TITLES = {"mr.": "m", "mr": "m", "mrs.": "f", "mrs": "f", "ms.": "f", "ms": "f"}
_NOT_ONE_PERSON_WORDS = """poll polls survey report statement statements campaign website site ad ads article
    book letter email tweet study data newspaper network agency committee group party
    administration government department office company times news post journal magazine
    paper editorial memo video transcript release analysis team organization association
    foundation council court senate house congress"""
_NOT_ONE_PERSON = frozenset(_NOT_ONE_PERSON_WORDS.split())


def _fits(source_text: str, gender: str) -> bool:
    """Whether "he"/"she" can refer to a gold source: not one shown by its title to be of
    the other gender ("Mrs. Clinton" for "he"), and one person, not an institution, a
    document or a plural ("the poll", "The New York Times", "officials")."""
    words = source_text.replace("\xa0", " ").split()
    if any(_TITLES.get(w.lower()) not in (None, gender) for w in words):
        return False
    core = source_text.split(",")[0].split()  # the head before an appositive
    if not core:
        return False
    head = core[-1].strip("’'\".").lower()
    if head in _NOT_ONE_PERSON:
        return False
    return not (core[-1].islower() and head.endswith("s") and not head.endswith("ss"))


_RELATIVE = frozenset({"who", "which", "that"})
_SENTENCE_END = re.compile(r"[.!?]\s")


def relative_antecedent(unit: Unit, gold: GoldAttribution, text: str) -> bool:
    """v2: a relative pronoun's antecedent is the phrase it follows ("Clinton, who said
    ..."): the system speaker counts when it ends in the same sentence, at most 80
    characters before the pronoun."""
    if unit.speaker is None or gold.source is None:
        return False
    if gold.source_text.strip().lower() not in _RELATIVE:
        return False
    gap = text[unit.speaker[1] : gold.source[0]]
    return unit.speaker[1] <= gold.source[0] and len(gap) <= 80 and not _SENTENCE_END.search(gap)


@dataclass
class Tally:
    system: int = 0
    gold: int = 0
    matched: int = 0
    with_source: int = 0
    speaker_ok: int = 0
    speaker_ok_v2: int = 0  # compatible antecedents (see ``_fits``, ``relative_antecedent``)

    def add(
        self,
        system: list[Unit],
        gold: list[GoldAttribution],
        all_gold: list[GoldAttribution],
        text: str = "",
    ) -> None:
        self.system += len(system)
        self.gold += len(gold)
        pairs = match(system, gold)
        self.matched += len(pairs)
        previous = antecedents(all_gold)
        fitting = antecedents(all_gold, compatible=True)
        for unit, attribution in pairs:
            if attribution.source is None:
                continue
            self.with_source += 1
            self.speaker_ok += speaker_correct(unit, attribution, previous.get(id(attribution)))
            self.speaker_ok_v2 += speaker_correct(
                unit, attribution, fitting.get(id(attribution))
            ) or relative_antecedent(unit, attribution, text)

    def scores(self) -> dict[str, float | int]:
        p = self.matched / self.system if self.system else 0.0
        r = self.matched / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        acc = self.speaker_ok / self.with_source if self.with_source else 0.0
        acc_v2 = self.speaker_ok_v2 / self.with_source if self.with_source else 0.0
        return {
            "precision": round(p, 3),
            "recall": round(r, 3),
            "f1": round(f, 3),
            "speaker_accuracy": round(acc, 3),
            "speaker_accuracy_v2": round(acc_v2, 3),
            "system": self.system,
            "gold": self.gold,
            "matched": self.matched,
            "speaker_pairs": self.with_source,
        }


def score(
    documents: list[Document], system: list[list[Quote]]
) -> dict[str, dict[str, float | int]]:
    direct, every = Tally(), Tally()
    for document, quotes in zip(documents, system, strict=True):
        direct_gold = [g for g in document.gold if g.direct]
        direct.add(units(quotes, True), direct_gold, document.gold, document.text)
        every.add(units(quotes, False), document.gold, document.gold, document.text)
    return {"direct": direct.scores(), "all": every.scores()}


def evaluate(
    data_dir: Path, splits: Sequence[str] = SPLITS, limit: int | None = None
) -> dict[str, Any]:
    """Scores per split: ``{split: {"direct": {...}, "all": {...}, "speed": {...}}}``."""
    results: dict[str, Any] = {}
    for split in splits:
        documents = load_split(data_dir, split, limit)
        quotes, seconds = run_system([d.text for d in documents])
        words = sum(len(d.text.split()) for d in documents)
        results[split] = score(documents, quotes)
        results[split]["speed"] = {
            "documents": len(documents),
            "words": words,
            "ms_per_1000_words": round(1000 * seconds / max(1, words) * 1000, 2),
        }
    return results


# --------------------------------------------------------------------------- CLI


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "| split | kind | P | R | F1 | speaker acc. | speaker acc. v2 | system | gold | matched |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for split, result in results.items():
        for kind in ("direct", "all"):
            s = result[kind]
            lines.append(
                f"| {split} | {kind} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} "
                f"| {s['speaker_accuracy']:.3f} ({s['speaker_pairs']}) "
                f"| {s['speaker_accuracy_v2']:.3f} | {s['system']} "
                f"| {s['gold']} | {s['matched']} |"
            )
    lines += [
        "",
        "| split | documents | words | find_quotes ms / 1,000 words |",
        "|---|---|---|---|",
    ]
    for split, result in results.items():
        speed = result["speed"]
        lines.append(
            f"| {split} | {speed['documents']} | {speed['words']} | {speed['ms_per_1000_words']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="polnear", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=("train", "dev", "all"), default="all")
    parser.add_argument("--limit", type=int, default=None, help="first N articles per split")
    args = parser.parse_args(argv)
    if not (args.data / "data").is_dir():
        print(
            f"error: PolNeAR not found at {args.data} (expected {args.data}/data/train)",
            file=sys.stderr,
        )
        return 2
    splits = SPLITS if args.split == "all" else (args.split,)
    print(markdown(evaluate(args.data, splits, args.limit)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
