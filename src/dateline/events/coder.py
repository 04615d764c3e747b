"""A transparent PLOVER event coder over spaCy's dependency parse.

Per sentence: triggers from the lexicon (verbs, and event nouns where a clause makes them
happen), then for each trigger its actor (subject, or the agent of a passive), recipients
(object, "against/from/on/with/to/at" objects), auxiliary mode (negated, hypothetical,
future, historical, else asserted), its own place and date, counts and the quote it sits
in. A trigger that is the content of another ("urged X to *withdraw*", "calls to *attack*",
"condemned the *attack*") is no event of its own: it only gives its governor a mode.

Decisions (see docs in the report):
- "ready/willing/offer/promise/agree to X": the offer is the event, asserted, coded as the
  verbal type of X (a promised RETREAT is a CONCEDE, promised AID/COOPERATE an AGREE),
  following the codebook ("promise of future concessions" is CONCEDE).
- "dismissed the government": SANCTION/expel (removing an entity from a body it belonged to).
- an appeal ("called for", "urged") is a REQUEST with CAMEO root 02 (quad 0); a demand is 10.
- an ASSAULT by civilian groups with no weapon mode ("protesters clashed with police") is a
  PROTEST/riot: PLOVER codes violent protest there, not as an assault.

The learned layer (learned.py, weights in data/type_model.json) decides the TYPE only where
the lexicon is silent or unsure, per sentence (``_learned``); it never touches actors,
recipients, auxiliary mode, place or date, which stay the transparent coder's:
- joint score of a type T: p_type(T) * max p_quad(q) over the quad classes T can have
  (REQUEST: 0 as an appeal, 3 as a demand), normalised over the 16 types;
- no lexicon trigger: a sentence that holds a quotation (direct or reported) is a
  statement and no event, and so is one where a lexicon word matched but the coder set it
  aside (the content of a call or a condemnation); when the quad head's best class is 0
  (statement) with p >= 0.5 and the best joint type is not REQUEST, the sentence is a
  statement and no event (CAMEO 01 "make statement" has no PLOVER type); else the best joint
  type, if its score is >= ``Thresholds.new`` (0.6, a hand-set precision guard), becomes an
  event on the sentence root (confidence at most that score);
- lexicon trigger(s): the sentence's main-clause trigger (``_main_trigger``) is relabelled
  when the joint type differs with a score at or above a bar, or when the quad head gives
  another quad class at or above a bar (then: the best joint type of that class); the bars
  (``Thresholds``, chosen by CV in train.py) differ for an ambiguous lexicon (the
  sentence's triggers disagree on the type, or the head word codes several types and no
  object condition chose) and a sure one; a sure lexicon's negated or modal event is never
  relabelled, nor is a trigger given the type of another trigger of its sentence. Its mode
  is kept when the new type has it; its CAMEO root comes from the crosswalk (02 for an
  appeal).

Each article marks one event ``main``: the main-clause event of the first sentence with an
asserted event (else of the first sentence with any event).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from spacy.tokens import Doc, Span, Token

from dateline.events.crosswalk import derive, quad_class
from dateline.events.learned import Hit, TypeModel, load_model, sentence_features
from dateline.events.lexicon import Lexicon, Rule, base_form, load_lexicon
from dateline.events.ontology import TYPES
from dateline.events.participants import Article, participant
from dateline.model import (
    EntityMention,
    Event,
    EventPlace,
    EventTime,
    Evidence,
    Participant,
    PlaceMention,
    Quote,
    TimeMention,
)

# relations through which a word is what its governor says, asks, promises or refers to
_CONTENT_DEPS = {"xcomp", "ccomp", "dobj", "pobj", "prep", "pcomp", "acl", "compound", "amod",
                 "attr", "oprd", "nsubj", "nsubjpass", "advcl", "nmod", "appos"}  # fmt: skip
_CLIMB_DEPS = {"xcomp", "acomp", "conj", "prep", "pobj", "pcomp", "acl"}
_RECIPIENT_PREPS = {
    "against",
    "from",
    "on",
    "with",
    "to",
    "at",
    "upon",
    "into",
    "toward",
    "towards",
}
_LOC_PREPS = {"in", "at", "near", "outside", "across", "throughout", "inside", "around", "into"}
_CIVILIAN = {"CVL", "EDU", "LAB", "AGR", "REF"}
_CLASH = {"clash", "fight", "battle"}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20,
                 "dozen": 12, "dozens": 12, "scores": 20, "hundred": 100, "hundreds": 100,
                 "thousand": 1000, "thousands": 1000, "million": 1_000_000,
                 "millions": 1_000_000}  # fmt: skip  # plural words are lower bounds
_DEAD = {"kill", "massacre", "slay", "murder", "execute"}
_INJURED = {"wound", "injure"}
_VAGUE_TIME = re.compile(r"^(PRESENT|PAST|FUTURE)_REF$|^X")
_JOIN = re.compile(r"^\s*(and|to|-|–|—|through|until)(\s+(on|in|at))?\s*$")
# an offer or a said-will of X is the verbal act: cooperation offered is AGREE (a promised
# material concession CONCEDE, per the codebook), force announced is THREATEN
_PROMISED = {"RETREAT": "CONCEDE", "COOPERATE": "AGREE", "AID": "AGREE", "SUPPORT": "AGREE",
             "CONSULT": "AGREE", "ASSAULT": "THREATEN", "COERCE": "THREATEN",
             "SANCTION": "THREATEN", "MOBILIZE": "THREATEN"}  # fmt: skip


@dataclass
class _Trigger:
    tok: Token
    rule: Rule
    type: str
    mode: str | None
    cameo: str | None
    anchor: Token  # the clause verb that carries tense, negation and place
    aux: str = "asserted"
    promised: bool = False
    learned: float | None = None  # the joint score when the learned layer set the type
    siblings: list[Token] = field(default_factory=list)  # merged "killed ... and wounded"


def code_events(doc: Doc, entities: list[EntityMention], places: list[PlaceMention],
                times: list[TimeMention], quotes: list[Quote], published: str | None,
                learned: TypeModel | bool = True) -> list[Event]:  # fmt: skip
    """The events ``doc`` reports, asserted first (text order), then the others.

    ``learned``: True uses the shipped type model (when its data file exists), False the
    lexicon alone, a ``TypeModel`` that model (the evaluator's cross-validation folds).
    """
    lex = load_lexicon()
    model = load_model() if learned is True else (learned or None)
    art = Article(doc, entities, places, quotes, lex)
    reference = _reference_year(times, published)
    events: list[Event] = []
    rank: dict[int, tuple[int, ...]] = {}  # id(event) -> main-event sort key
    seen_sentences: set[str] = set()
    prev: list[Participant] = []
    for number, sent in enumerate(doc.sents):
        key = " ".join(sent.text.lower().split())
        if key in seen_sentences:  # a repeated sentence (headline, syndication) adds nothing
            continue
        seen_sentences.add(key)
        trigs = _triggers(sent, lex)
        if model is not None:
            quoted = any(q.start < sent.end_char and sent.start_char < q.end for q in quotes)
            trigs = _learned(sent, trigs, lex, model, quoted)
        found = [_event(t, sent, art, times, published, reference, prev) for t in trigs]
        for trig, event in zip(trigs, found, strict=True):
            rank[id(event)] = (event.aux != "asserted", number, _depth(trig.anchor), trig.tok.i)
        events.extend(found)
        if found and found[-1].actors:
            prev = found[-1].actors
    events = _dedupe(events)
    if events:  # the lede's main-clause event: the first sentence with an asserted event
        min(events, key=lambda e: rank[id(e)]).main = True
    return [e for e in events if e.aux == "asserted"] + [e for e in events if e.aux != "asserted"]


def _hits(trigs: list[_Trigger], lex: Lexicon) -> list[Hit]:
    return [
        Hit(
            t.tok,
            t.type,
            t.aux,
            derive(lex, t.type, t.mode, t.cameo if t.type == t.rule.type else None)[1],
        )
        for t in trigs
    ]


def doc_features(doc: Doc) -> list[str]:
    """The learned layer's features of a whole (short) text: the union over its sentences."""
    lex = load_lexicon()
    feats: set[str] = set()
    for sent in doc.sents:
        feats.update(sentence_features(sent, lex, _hits(_triggers(sent, lex), lex)))
    return sorted(feats)


# --- the learned layer ------------------------------------------------------------------


@cache
def _type_quads() -> dict[str, frozenset[int]]:
    """The quad classes each type can have: its crosswalk rows and its rules' CAMEO roots."""
    lex = load_lexicon()
    out: dict[str, set[int]] = {t: set() for t in TYPES}
    for (type_, _), (root, _) in lex.crosswalk.items():
        out[type_].add(quad_class(root))
    for rules in lex.rules.values():
        for rule in rules:
            if rule.cameo:
                out[rule.type].add(quad_class(rule.cameo))
    return {t: frozenset(q) for t, q in out.items()}


def _learned(sent: Span, trigs: list[_Trigger], lex: Lexicon, model: TypeModel,
             quoted: bool = False) -> list[_Trigger]:  # fmt: skip
    """The sentence's triggers with the type decided by the model where the lexicon is unsure.

    ``quoted``: the sentence holds a quotation; with no trigger it is a statement, no event.
    The model does not fill in where the coder dropped a trigger on purpose as the content of
    another word ("calls to *attack* ... are illegal"); a noun only mentioned does not count.
    """
    if not trigs and (quoted or _set_aside(sent, lex)):
        return []  # a quoted remark is a statement; a trigger the coder set aside is no event
    bar = model.thresholds
    primary = _main_trigger(trigs)
    unsure = primary is not None and _ambiguous(primary, trigs, lex)
    if primary is not None and not unsure and bar.sure > 1 and bar.sure_quad > 1:
        return trigs  # the lexicon is sure and may not be overridden: the model is not asked
    feats = sentence_features(sent, lex, _hits(trigs, lex))
    p_type, p_quad = model.type.proba(feats), model.quad.proba(feats)
    quads = _type_quads()
    joint = {t: p * max((p_quad[str(q)] for q in quads[t]), default=0.0)
             for t, p in p_type.items()}  # fmt: skip
    total = sum(joint.values()) or 1.0
    joint = {t: v / total for t, v in joint.items()}

    def best(quad: int | None = None) -> tuple[str, int] | None:
        cands = [t for t in joint if quad is None or quad in quads[t]]
        if not cands:
            return None
        type_ = max(cands, key=joint.__getitem__)
        q = quad if quad is not None else max(quads[type_], key=lambda c: p_quad[str(c)])
        return type_, q

    top_quad = int(max(p_quad, key=p_quad.__getitem__))
    if primary is None:
        choice = best()
        if choice is None or joint[choice[0]] < bar.new:
            return []
        if top_quad == 0 and p_quad["0"] >= bar.statement and choice[0] != "REQUEST":
            return []  # a statement
        return [_learned_trigger(sent, choice, joint[choice[0]], lex)]
    if not unsure and primary.aux != "asserted":
        return trigs  # a sure lexicon's negated or modal event is kept as the lexicon read it
    choice = best()
    override = bar.ambiguous if unsure else bar.sure
    if choice is None or choice[0] == primary.type or joint[choice[0]] < override:
        choice = None
        own = derive(lex, primary.type, primary.mode, primary.cameo)[1]
        if top_quad != own and p_quad[str(top_quad)] >= (bar.quad if unsure else bar.sure_quad):
            choice = best(top_quad)
    others = {t.type for t in trigs if t is not primary}
    if choice is not None and choice[0] not in others:  # else the model only saw that trigger
        _relabel(primary, choice, joint[choice[0]])
    return trigs


def _main_trigger(trigs: list[_Trigger]) -> _Trigger | None:
    """The trigger of the sentence's main clause: asserted first, then the one whose clause
    verb sits closest to the sentence root ("X said on Monday it *attacked* ..." is an
    attack when no trigger is nearer the root), then text order."""
    if not trigs:
        return None
    return min(trigs, key=lambda t: (t.aux != "asserted", _depth(t.anchor), t.tok.i))


def _depth(tok: Token) -> int:
    depth, cur = 0, tok
    while cur.head.i != cur.i and depth < 50:
        cur, depth = cur.head, depth + 1
    return depth


def _set_aside(sent: Span, lex: Lexicon) -> bool:
    """A trigger that would fire was dropped as the content of a call, claim or condemnation."""
    for tok in sent:
        rule = _match(tok, lex)
        if rule is not None and (rule.pos == "V" or _noun_anchor(tok, lex, set()) is not None):
            return True
    return False


def _ambiguous(primary: _Trigger, trigs: list[_Trigger], lex: Lexicon) -> bool:
    """The lexicon is unsure: the sentence's triggers disagree on the type, or the head word
    codes several types and no object condition chose among them. A type set by the coder's
    own documented rules (a promise is a CONCEDE/AGREE/THREATEN) is not second-guessed."""
    if len({t.type for t in trigs}) > 1:
        return True
    if primary.rule.obj or primary.type != primary.rule.type:
        return False
    head = primary.rule.words[primary.rule.head]
    return len({r.type for r in lex.rules.get(head, ())}) > 1


def _cameo(type_: str, quad: int) -> str | None:
    return "02" if type_ == "REQUEST" and quad == 0 else None


def _relabel(trig: _Trigger, choice: tuple[str, int], score: float) -> None:
    type_, quad = choice
    trig.mode = trig.mode if trig.mode in TYPES[type_].modes else None
    trig.type, trig.cameo, trig.learned = type_, _cameo(type_, quad), score


def _learned_trigger(sent: Span, choice: tuple[str, int], score: float, lex: Lexicon
                     ) -> _Trigger:  # fmt: skip
    """An event on the sentence root (its clause carries negation, actor and place)."""
    root = sent.root
    type_, quad = choice
    rule = Rule((base_form(root.text, lex),), 0, "N" if root.pos_ in ("NOUN", "PROPN") else "V",
                type_, None, _cameo(type_, quad), frozenset())  # fmt: skip
    trig = _Trigger(root, rule, type_, None, rule.cameo, root, learned=score)
    _modality(trig, lex)
    trig.type, trig.mode, trig.cameo = type_, None, rule.cameo  # the model saw the modality
    return trig


# --- triggers ----------------------------------------------------------------------------


def _pos(tok: Token) -> str | None:
    if tok.pos_ == "VERB":
        return "V"
    return "N" if tok.pos_ in ("NOUN", "PROPN") else None


def _head_words(tok: Token) -> list[Token]:
    """A noun and its modifiers, without its prepositional phrases ("stun grenades")."""
    out, stack = [], [tok]
    while stack:
        cur = stack.pop()
        out.append(cur)
        stack.extend(c for c in cur.children if c.dep_ in ("compound", "amod", "nmod", "conj"))
    return out


def _object_words(tok: Token, lex: Lexicon) -> set[str]:
    """Base forms of what the trigger acts on: its objects' heads and their modifiers."""
    heads: list[Token] = []
    for child in tok.children:
        if child.dep_ in ("dobj", "dative", "nsubjpass", "attr", "oprd", "compound", "amod",
                          "nmod", "npadvmod"):  # fmt: skip
            heads.append(child)
        elif child.dep_ in ("prep", "prt"):
            heads.extend(c for c in child.children if c.dep_ == "pobj")
    words: set[str] = set()
    for head in heads:
        for t in _head_words(head):
            words.update((base_form(t.text, lex), t.lower_))
    return words


def _match(tok: Token, lex: Lexicon) -> Rule | None:
    pos = _pos(tok)
    if pos is None:
        return None
    key = base_form(tok.text, lex)
    objects: set[str] | None = None
    doc = tok.doc
    for rule in lex.rules.get(key, ()):
        if rule.pos != pos:
            continue
        start = tok.i - rule.head
        if start < 0 or start + len(rule.words) > len(doc):
            continue
        span = doc[start : start + len(rule.words)]
        if any(base_form(t.text, lex) != w for t, w in zip(span, rule.words, strict=True)):
            continue
        if rule.obj:
            objects = objects if objects is not None else _object_words(tok, lex)
            if not rule.obj & objects:
                continue
        return rule
    return None


def _cues(tok: Token, lex: Lexicon) -> frozenset[str]:
    return lex.cues.get(base_form(tok.text, lex), frozenset())


def _noun_anchor(tok: Token, lex: Lexicon, allowed: set[int]) -> Token | None:
    """The clause verb that makes an event noun happen, or None when it is only mentioned."""
    head = tok.head
    if tok.dep_ == "ROOT":
        return tok
    if tok.dep_ == "conj" and head.i in allowed:
        return head
    if tok.dep_ in ("nsubj", "nsubjpass") and head.pos_ in ("VERB", "AUX"):
        return head if "speech" not in _cues(head, lex) else None
    if tok.dep_ in ("dobj", "attr") and "light" in _cues(head, lex):
        return head
    if tok.dep_ == "pobj" and head.dep_ == "prep" and "light" in _cues(head.head, lex):
        return head.head
    return None


def _triggers(sent: Span, lex: Lexicon) -> list[_Trigger]:
    found: dict[int, _Trigger] = {}
    for tok in sent:
        rule = _match(tok, lex)
        if rule is None:
            continue
        anchor: Token | None = tok
        if rule.pos == "N":
            anchor = _noun_anchor(tok, lex, set(found))
        if anchor is not None:
            found[tok.i] = _Trigger(tok, rule, rule.type, rule.mode, rule.cameo, anchor)
    kept = [t for t in found.values() if not _is_content(t, found, lex)]
    for trig in kept:
        _modality(trig, lex)
        _request_mode(trig, lex)
    return _merge_siblings(kept)


def _is_content(trig: _Trigger, found: dict[int, _Trigger], lex: Lexicon) -> bool:
    """True when the trigger is what another word says, asks or refers to."""
    cur = trig.tok
    for _ in range(6):
        head, dep = cur.head, cur.dep_
        if head.i == cur.i or "speech" in _cues(head, lex):
            return False
        governor = found.get(head.i)
        if governor is not None and governor is not trig:
            if dep == "conj":
                return False  # a sibling event, merged later when of the same type
            if dep == "ccomp" and not TYPES[governor.type].verbal:
                return False  # "protesters clashed, the police used gas": two events
            if dep in _CONTENT_DEPS or cur.i != trig.tok.i:
                _give_mode(governor, trig)
                return True
        if "asks" in _cues(head, lex) and dep in ("xcomp", "acl", "ccomp", "advcl"):
            return True  # "calls to attack offices": the attack is only called for
        if dep not in _CLIMB_DEPS:
            return False
        cur = head
    return False


def _threat_mode(trig: _Trigger) -> str | None:
    if trig.rule.type == "COERCE":
        return {"arrest": "arrest", "ban": "ban", "seize": "territory"}.get(
            trig.mode or "", "restrict"
        )
    return {"ASSAULT": "violence", "SANCTION": "relations"}.get(trig.rule.type)


def _give_mode(governor: _Trigger, content: _Trigger) -> None:
    """A governor's mode from what it is about: "threatened to impose a curfew"."""
    if governor.type == "AGREE" and content.type in ("RETREAT", "CONCEDE"):
        governor.type, governor.mode, governor.cameo = "CONCEDE", None, None
    if governor.mode is not None or governor.type == content.type:
        return
    if governor.type in ("REQUEST", "REJECT"):
        governor.mode = {"AID": "assist", "COOPERATE": "assist", "RETREAT": "yield",
                         "CONCEDE": "yield", "CONSULT": "meet", "ASSAULT": "yield",
                         "COERCE": "yield", "PROTEST": "yield", "SANCTION": "yield",
                         "AGREE": "change", "SUPPORT": "change"}.get(content.type)  # fmt: skip
    elif governor.type == "THREATEN":
        governor.mode = {"ASSAULT": "violence", "SANCTION": "relations", "PROTEST": "restrict",
                         "COERCE": {"curfew": "restrict", "arrest": "arrest", "ban": "ban",
                                    "seize": "territory", "deport": "expel"}.get(
                             content.mode or "", "restrict")}.get(content.type)  # fmt: skip


def _request_mode(trig: _Trigger, lex: Lexicon) -> None:
    """What is asked for, in text order: "called for de-escalation ... and dialogue" → yield."""
    if trig.type in ("REQUEST", "REJECT") and trig.mode is None:
        for tok in trig.tok.subtree:
            if tok.i > trig.tok.i and base_form(tok.text, lex) in lex.request_modes:
                trig.mode = lex.request_modes[base_form(tok.text, lex)]
                return


def _chain(trig: _Trigger) -> list[Token]:
    """The trigger and the words that govern it within its clause ("was ready to fulfil")."""
    out, cur = [trig.tok], trig.anchor
    if cur.i != trig.tok.i:
        out.append(cur)
    for _ in range(4):
        if cur.dep_ not in ("xcomp", "acomp", "conj", "ccomp") or cur.head.i == cur.i:
            break
        if cur.dep_ == "ccomp" and cur.head.pos_ != "AUX":
            break  # only "was ready to" style copulas; a said-that clause is its own
        cur = cur.head
        out.append(cur)
    return out


def _modality(trig: _Trigger, lex: Lexicon) -> None:
    chain = _chain(trig)
    tok = trig.tok
    negated = any(c.dep_ == "neg" for c in tok.children) or any(
        c.dep_ == "neg" for c in trig.anchor.children
    )
    negated |= any(c.dep_ == "det" and c.lower_ == "no" for c in tok.children)
    negated |= tok.i > 0 and tok.doc[tok.i - 1].lower_ in ("never", "no")
    heads = chain[1:] if trig.anchor.i == tok.i else chain[2:]
    classes = [_cues(h, lex) for h in heads]
    if any("fail" in c for c in classes):
        negated = True
    modals = [c.lower_ for t in chain for c in t.children if c.tag_ == "MD"]
    modal_cues = {cls for m in modals for cls in lex.cues.get(m, frozenset())}
    marks = {c.lower_ for t in chain for c in t.children if c.dep_ == "mark"}
    said_will = "modal-future" in modal_cues and _reported(chain[-1], lex)
    trig.promised = any("promise" in c for c in classes) or said_will
    if trig.promised:
        trig.type = _PROMISED.get(trig.type, trig.type)
        if trig.type != trig.rule.type:
            trig.cameo, trig.mode = None, _threat_mode(trig) if trig.type == "THREATEN" else None
    if negated:
        trig.aux = "negated"
    elif (
        marks & {"if", "unless"}
        or ("modal-hyp" in modal_cues and not trig.promised)
        or any("hypothetical" in c for c in classes)
    ):
        trig.aux = "hypothetical"
    elif "modal-future" in modal_cues or any("future" in c for c in classes) or _is_to(tok):
        trig.aux = "future" if not trig.promised else "asserted"


def _reported(tok: Token, lex: Lexicon) -> bool:
    """ "Hungary said it will support ...": the clause is what a speaker commits to."""
    return tok.dep_ == "ccomp" and "speech" in _cues(tok.head, lex)


def _is_to(tok: Token) -> bool:
    """ "is to visit": an announced plan."""
    doc = tok.doc
    return tok.i >= 2 and doc[tok.i - 1].lower_ == "to" and doc[tok.i - 2].lower_ in (
        "is", "are", "was", "were")  # fmt: skip


def _merge_siblings(trigs: list[_Trigger]) -> list[_Trigger]:
    """ "fulfil the demand and reduce prices", "killed six and wounded four": one event."""
    out: list[_Trigger] = []
    for trig in trigs:
        twin = next((o for o in out if o.type == trig.type and o.aux == trig.aux
                     and (trig.tok.head.i == o.tok.i or trig.anchor.i == o.anchor.i
                          or trig.tok.head.i in {s.i for s in o.siblings})), None)  # fmt: skip
        if twin is not None:
            twin.siblings.append(trig.tok)
            twin.mode = twin.mode or trig.mode
        else:
            out.append(trig)
    return out


# --- arguments ---------------------------------------------------------------------------


def _subject(tok: Token) -> tuple[Token | None, Token | None]:
    """(actor head, passive subject head): climbs "was ready to fulfil", conjoined verbs."""
    cur = tok
    for _ in range(4):
        agent = next((c for c in cur.children if c.dep_ == "agent"), None)
        passive = next((c for c in cur.children if c.dep_ == "nsubjpass"), None)
        if agent is not None:
            obj = next((c for c in agent.children if c.dep_ == "pobj"), None)
            return obj, passive
        subj = next((c for c in cur.children if c.dep_ in ("nsubj", "expl")), None)
        if subj is not None and subj.dep_ == "nsubj":
            return subj, None
        if passive is not None:
            return None, passive
        if cur.dep_ not in ("xcomp", "acomp", "conj", "ccomp", "advcl") or cur.head.i == cur.i:
            break
        cur = cur.head
    return None, None


def _parts(head: Token | None, art: Article, prev: list[Participant]) -> list[Participant]:
    if head is None:
        return []
    out: list[Participant] = []
    for tok in [head, *head.conjuncts]:
        out.extend(participant(tok, art, prev))
    return out


def _noun_actor(tok: Token, art: Article, prev: list[Participant]) -> list[Participant]:
    for child in tok.children:
        if child.dep_ == "poss":
            return _parts(child, art, prev)
        if child.dep_ in ("amod", "compound"):
            ent = art.entity_at(child)
            if ent is not None and ent.kind != "place":
                return _parts(child, art, prev)
        if child.dep_ == "prep" and child.lower_ == "by":
            return _parts(next((c for c in child.children if c.dep_ == "pobj"), None), art, prev)
    return []


def _recipients(trig: _Trigger, art: Article, prev: list[Participant]) -> list[Participant]:
    out: list[Participant] = []
    for word in (trig.tok, trig.anchor):
        for child in word.children:
            if child.dep_ in ("dobj", "dative") and child.i != trig.tok.i:
                found = _parts(child, art, prev)
                out.extend(found)
                if not found:  # "requested assistance from the CSTO", "demand of protesters"
                    out.extend(_prep_objects(child, art, prev, _RECIPIENT_PREPS | {"of"}))
            elif child.dep_ in ("prep", "prt") and child.lower_ in _RECIPIENT_PREPS:
                out.extend(_prep_objects(word, art, prev, {child.lower_}, only=child))
    return out


def _prep_objects(word: Token, art: Article, prev: list[Participant], preps: set[str],
                  only: Token | None = None) -> list[Participant]:  # fmt: skip
    out: list[Participant] = []
    for prep in word.children:
        if (only is None or prep.i == only.i) and prep.lower_ in preps:
            for obj in (c for c in prep.children if c.dep_ in ("pobj", "dobj")):
                out.extend(_parts(obj, art, prev))
    return out


def _unique(parts: list[Participant], exclude: list[Participant] = ()) -> list[Participant]:  # type: ignore[assignment]
    seen = {p.canonical for p in exclude}
    out = []
    for p in parts:
        if p.canonical not in seen:
            seen.add(p.canonical)
            out.append(p)
    return out


# --- place, time, counts -----------------------------------------------------------------


def _places(trig: _Trigger, actor_head: Token | None, art: Article) -> list[EventPlace]:
    """Where the trigger's own clause says it happened ("in Mangistau and Almaty regions, as
    well as in Alma-Ata": all three), else where its actor is from."""
    words = [trig.tok, trig.anchor]
    cur = trig.anchor
    for _ in range(2):  # "In Almaty, protesters clashed ..., police used gas"
        if cur.dep_ not in ("ccomp", "conj", "xcomp", "advcl") or cur.head.i == cur.i:
            break
        if "speech" in _cues(cur.head, art.lexicon):
            break
        cur = cur.head
        words.append(cur)
    # a comma splice's first clause may carry the fronted place: "In Almaty, X clashed, Y used"
    words += [c for c in cur.children if c.dep_ == "ccomp" and c.i < cur.i]
    # the trigger and its clause verb speak of one happening; words further up only when
    # those name no place
    clause = [trig.tok, trig.anchor]
    clause += [c for w in clause for c in w.children if c.dep_ == "dobj"]  # "a curfew in Lyon"
    for group in (clause, *([w] for w in words[2:])):
        found = [
            place
            for word in dict.fromkeys(group)
            for prep in word.children
            if prep.dep_ == "prep" and prep.lower_ in _LOC_PREPS
            for place in _places_under(prep, art)
        ]
        if found:
            return _distinct(sorted(found, key=lambda p: p.start))
    if actor_head is not None and art.entity_at(actor_head) is None:
        return _distinct(_places_under(actor_head, art))  # "residents of Zhanaozen and Aktau"
    return []


def _places_under(root: Token, art: Article) -> list[EventPlace]:
    """The places in a phrase, in text order; a relative clause is another happening, and
    a country adds nothing beside a place inside it ("Aktau ..., in western Kazakhstan")."""
    found: list[PlaceMention] = []
    skip: set[int] = set()
    for tok in root.subtree:
        if tok.dep_ == "relcl":
            skip.update(t.i for t in tok.subtree)
        p = art.place_at(tok) if tok.i not in skip else None
        if p is not None and p not in found:
            found.append(p)
    inner = {p.country for p in found if p.feature != "country"}
    return [
        EventPlace(p.text, p.start, p.end, p.name, p.geonames_id, p.lat, p.lon, p.country, p.admin1)
        for p in found
        if p.feature != "country" or p.country not in inner
    ]


def _distinct(places: list[EventPlace]) -> list[EventPlace]:
    """One entry per place: "Alma-Ata" and a later "Almaty" are the same city."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for place in places:
        key = (place.geonames_id,) if place.geonames_id is not None else (place.name, place.country)
        if key not in seen:
            seen.add(key)
            out.append(place)
    return out


def _when(trig: _Trigger, sent: Span, times: list[TimeMention], published: str | None
          ) -> EventTime | None:  # fmt: skip
    inside = [t for t in times if sent.start_char <= t.start and t.end <= sent.end_char
              and t.type in ("DATE", "TIME") and not _VAGUE_TIME.match(t.value)]  # fmt: skip
    if not inside:
        return EventTime(value=published, source="published") if published else None
    at = trig.tok.idx
    best = min(inside, key=lambda t: min(abs(t.start - at), abs(t.end - at)))
    i = inside.index(best)
    first, last = best, best
    text = sent.doc.text
    if i + 1 < len(inside) and _JOIN.match(text[best.end : inside[i + 1].start]):
        last = inside[i + 1]
    elif i > 0 and _JOIN.match(text[inside[i - 1].end : best.start]):
        first = inside[i - 1]
    end_value = last.end_value or (last.value if last is not first else None)
    value = first.value
    if re.match(r"(until|till|through)\b", first.text, re.I):  # in force from now until then
        value = published or _last_date_before(times, first.start) or first.value
        end_value = end_value or first.value
    return EventTime(value, end_value, text[first.start : last.end], first.start, last.end)


def _last_date_before(times: list[TimeMention], char: int) -> str | None:
    """The story's latest day before ``char`` ("on the night of January 5" → 2022-01-05)."""
    days = [t.value[:10] for t in times if t.end <= char and re.match(r"\d{4}-\d\d-\d\d", t.value)]
    return days[-1] if days else None


def _reference_year(times: list[TimeMention], published: str | None) -> int | None:
    """The year the article speaks from: its publication, else its latest explicit date."""
    if published and published[:4].isdigit():
        return int(published[:4])
    years = [int(t.value[:4]) for t in times if t.value[:4].isdigit() and t.type == "DATE"]
    return max(years) if years else None


def _number(tok: Token) -> int | None:
    text = tok.lower_.replace(",", "")
    if text.isdigit():
        return int(text)
    return _NUMBER_WORDS.get(text)


def _count(head: Token | None) -> int | None:
    """ "12 people", "at least 75 displaced people", "thousands of protesters"."""
    if head is None:
        return None
    for child in head.children:
        if child.dep_ == "nummod":
            return _number(child)
    if head.like_num or head.lower_ in _NUMBER_WORDS:
        return _number(head)
    return None


def _casualties(trig: _Trigger, lex: Lexicon) -> tuple[int | None, int | None]:
    dead = injured = None
    for tok in [trig.tok, *trig.siblings]:
        verb = base_form(tok.text, lex)
        obj = next((c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")), None)
        n = _count(obj)
        if verb in _DEAD:
            dead = n
        elif verb in _INJURED:
            injured = n
    return dead, injured


def _size(actor_head: Token | None) -> int | None:
    if actor_head is None:
        return None
    n = _count(actor_head)
    if n is None and actor_head.head.lower_ == "of" and actor_head.head.head.i != actor_head.i:
        n = _count(actor_head.head.head)  # "thousands of protesters"
    return n


# --- the event ---------------------------------------------------------------------------


def _event(trig: _Trigger, sent: Span, art: Article, times: list[TimeMention],
           published: str | None, reference: int | None, prev: list[Participant]
           ) -> Event:  # fmt: skip
    """One trigger's event; ``prev`` are the previous sentence's actors (for "it")."""
    lex = art.lexicon
    if (trig.rule.pos == "N" and trig.anchor.i == trig.tok.i) or trig.tok.dep_ == "conj":
        actor_head, passive = None, None
    else:
        actor_head, passive = _subject(trig.anchor)
    prev_actors = prev
    actors = _parts(actor_head, art, prev_actors)
    if trig.rule.pos == "N" and not actors:
        actors = _noun_actor(trig.tok, art, prev_actors)
        if not actors and trig.anchor.i != trig.tok.i and trig.tok.dep_ != "nsubj":
            actor_head, passive = _subject(trig.anchor)
            actors = _parts(actor_head, art, prev_actors)
    if trig.tok.dep_ == "conj" and not actors:
        actor_head, passive = _subject(trig.tok)
        actors = _parts(actor_head, art, prev_actors)
    recipients = _parts(passive, art, prev) + _recipients(trig, art, prev_actors)
    if trig.rule.pos == "N":
        recipients += _prep_objects(trig.tok, art, prev, {"against", "on", "with", "at", "to"})
    actors = _unique(actors)
    recipients = _unique(recipients, actors)
    type_, mode = trig.type, trig.mode
    if (type_ == "ASSAULT" and base_form(trig.tok.text, lex) in _CLASH and actors
            and all(p.sector in _CIVILIAN for p in actors)):  # fmt: skip
        type_, mode = "PROTEST", "riot"
    when = _when(trig, sent, times, published)
    aux = trig.aux
    if (aux == "asserted" and when is not None and when.source == "text"
            and reference and when.value[:4].isdigit() and int(when.value[:4]) < reference):  # fmt: skip
        aux = "historical"
    root, quad, acled = derive(lex, type_, mode, trig.cameo if type_ == trig.type else None)
    if type_ == "ASSAULT" and base_form(trig.tok.text, lex) in _CLASH:
        acled = "ARMED_CLASH"
    dead, injured = _casualties(trig, lex)
    places = _places(trig, actor_head, art)
    quote = art.quote_at(trig.tok.idx)
    end = trig.tok.i + len(trig.rule.words) - trig.rule.head
    start = trig.tok.i - trig.rule.head
    trigger = sent.doc[start:end]
    evidence = Evidence(sent.start_char, sent.end_char, sent.text)
    confidence = 0.4 + 0.2 * bool(actors) + 0.1 * bool(recipients)
    confidence += 0.1 * (trig.rule.pos == "V") + 0.1 * bool(
        trig.rule.obj or len(trig.rule.words) > 1
    )
    if trig.learned is not None:  # the type is the model's: no more sure than its score
        confidence = min(confidence, trig.learned)
    return Event(
        type=type_, aux=aux, evidence=evidence,
        trigger=Evidence(trigger.start_char, trigger.end_char, trigger.text),
        mode=mode, context=_contexts(sent, lex), actors=actors, recipients=recipients,
        place=places[0] if places else None, places=places, when=when,
        size=_size(actor_head) if type_ == "PROTEST" else None, dead=dead, injured=injured,
        source=quote.speaker.canonical if quote and quote.speaker else None,
        confidence=round(min(confidence, 1.0), 2),
        cameo_root=root, cameo_quad=quad, acled_subtype=acled,
    )  # fmt: skip


def _contexts(sent: Span, lex: Lexicon) -> list[str]:
    found = {
        lex.contexts[base_form(t.text, lex)] for t in sent if base_form(t.text, lex) in lex.contexts
    }
    return sorted(found)


def _key(event: Event) -> tuple[str, frozenset[str], frozenset[str]]:
    return (event.type, frozenset(p.canonical for p in event.actors),
            frozenset(p.canonical for p in event.recipients))  # fmt: skip


def _dedupe(events: list[Event]) -> list[Event]:
    """Same type, actors and recipients in one article: one event, the first mention.

    A later mention that names nobody ("the protests spread", "No, I haven't asked") adds
    no who/whom, so it joins the first event of its type and auxiliary mode.
    """
    out: list[Event] = []
    seen: set[tuple[str, frozenset[str], frozenset[str]]] = set()
    for event in events:
        key = _key(event)
        if key in seen:
            continue
        if (
            not event.actors
            and not event.recipients
            and any(o.type == event.type and o.aux == event.aux for o in out)
        ):
            continue
        seen.add(key)
        out.append(event)
    return out
