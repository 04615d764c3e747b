"""Who said what: direct, mixed and indirect quotations with speaker, cue and channel.

:func:`find_quotes` reads a parsed ``Doc`` (the pipeline of :mod:`dateline.understand.nlp`)
and the article's linked entities. It works in four steps:

1. **Quote marks.** Straight, curly and ``\u0060\u0060 ''`` marks are paired per paragraph.
   A straight mark opens or closes by what is around it. A paragraph whose quote is not
   closed runs to its end and, when the next paragraph opens with a mark, continues there
   (the multi-paragraph convention: every paragraph opens, only the last closes). Nothing
   is given up because the count of marks is odd (textacy's flaw, PITFALLS.md).
2. **Cues.** Verbs of saying, believing and intending (the PolNeAR notion of attribution:
   statements, beliefs, intentions, decrees, knowledge; see ``_CUE_VERBS``) and
   "according to". Each gets its content from the parse: a clausal complement ("said that
   ..."), an infinitive ("urged people to ..."), an object for verbs whose object is what
   was said ("announced new rates"), or the clause it interrupts ("..., a source said").
3. **Attaching quotes.** A quoted piece inside a cue's content that has words of its own
   outside the marks is a fragment of mixed speech; otherwise it takes the nearest cue in
   the text around it up to the sentence boundary ("..., he said." / "He said: ...");
   failing that it continues the quote before it (same or next paragraph), or takes the
   speaker the text introduces: the name or subject before a colon ("Continued Stone:
   '...'"), the subject of the sentence before it in its paragraph, or the subject of its
   own sentence's main verb ("X fired back that the '...'"). Short quoted words with no
   cue are scare quotes and titles, not quotations.
4. **Speakers.** The cue's subject, or the object of "according to". A linked entity that
   holds the subject's head names it. Pronouns go to the nearest fitting earlier person
   (the subject of a sentence first) or earlier speaker; descriptions of unnamed sources
   ("a source familiar with the situation") stay descriptions, marked anonymous, and later
   definite descriptions ("the agency's interlocutor", "the source") join the last one.
   A surname alone that the tagger took for an organisation ("Pence said") is first
   mapped back to the person the article named in full.

Only the outermost attribution is kept (PolNeAR's rule): a cue inside another quote's
content is part of that content.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc, Span, Token

from dateline.model import Cue, EntityMention, Quote, Speaker

# --------------------------------------------------------------------------- the lexicon


def _wordlist(text: str) -> list[str]:
    """Word lists are written as running text: easier to read and to extend."""
    return text.split()


def _forms(base: str) -> set[str]:
    """A regular verb's inflections: say-style irregulars are listed in ``_IRREGULAR``."""
    if base in _IRREGULAR:
        return {base, *_IRREGULAR[base]}
    if base.endswith("e"):
        stem = base[:-1]
        return {base, base + "s", base + "d", stem + "ing"}
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        stem = base[:-1]
        return {base, stem + "ies", stem + "ied", base + "ing"}
    third = base + ("es" if base.endswith(("s", "sh", "ch", "x", "z")) else "s")
    return {base, third, base + "ed", base + "ing"}


_IRREGULAR = {
    "say": ("says", "said", "saying"),
    "tell": ("tells", "told", "telling"),
    "write": ("writes", "wrote", "written", "writing"),
    "think": ("thinks", "thought", "thinking"),
    "know": ("knows", "knew", "known", "knowing"),
    "feel": ("feels", "felt", "feeling"),
    "find": ("finds", "found", "finding"),
    "hear": ("hears", "heard", "hearing"),
    "see": ("sees", "saw", "seen", "seeing"),
    "show": ("shows", "showed", "shown", "showing"),
    "learn": ("learns", "learned", "learnt", "learning"),
    "understand": ("understands", "understood", "understanding"),
    "tweet": ("tweets", "tweeted", "tweeting"),
    "admit": ("admits", "admitted", "admitting"),
    "regret": ("regrets", "regretted", "regretting"),
    "commit": ("commits", "committed", "committing"),
    "plan": ("plans", "planned", "planning"),
    "quip": ("quips", "quipped", "quipping"),
    "bet": ("bets", "betting"),
    "predict": ("predicts", "predicted", "predicting"),
    "forecast": ("forecasts", "forecasting"),
    "spell": ("spells", "spelled", "spelt", "spelling"),
    "put": ("puts", "putting"),
    "hope": ("hopes", "hoped", "hoping"),
    "reply": ("replies", "replied", "replying"),
    "deny": ("denies", "denied", "denying"),
    "testify": ("testifies", "testified", "testifying"),
    "signal": ("signals", "signaled", "signalled", "signaling", "signalling"),
    "rule": ("rules", "ruled", "ruling"),
    "argue": ("argues", "argued", "arguing"),
    "agree": ("agrees", "agreed", "agreeing"),
    "vow": ("vows", "vowed", "vowing"),
}

# Statements: the content is a clause ("said (that) ..."), and they introduce direct quotes.
_SPEECH = _wordlist("""say tell add note explain announce state claim declare argue insist warn report
write tweet post acknowledge admit deny confirm suggest reply respond answer recall assert
contend maintain stress emphasize emphasise comment remark testify conclude complain concede
promise pledge vow reveal disclose indicate mention repeat reiterate predict boast joke quip
retort counter continue ask wonder put shout yell exclaim whisper observe describe caution advise
allege agree estimate inform assure reassure remind proclaim hint imply affirm charge
speculate lament tout brag point blast slam mock vent muse recount declare opine gush concur
""")
# Beliefs and knowledge: a clause too, but they never frame a direct quote.
_COGNITION = _wordlist("""think believe feel know expect hope fear worry doubt suspect consider recognize
recognise realize realise understand learn hear find guess assume figure bet imagine reckon
show demonstrate prove decide rule determine regret forecast notice
""")
# Intentions, desires and requests: the content is an infinitive ("plans to ...").
_INTENTION = _wordlist("""want plan intend hope promise vow pledge threaten refuse decline agree aim
seek wish expect prefer offer propose urge ask call encourage demand order instruct tell
warn advise invite decide vow push press seem appear
""")
# The object is what was said ("announced new rates", "denied the report").
_OBJECT = _wordlist("""announce deny reject criticize criticise praise support oppose endorse propose
confirm disclose reveal defend blame condemn describe acknowledge predict welcome
slam blast mock question dispute challenge back applaud demand urge accuse cite call name label
""")


def _lexicon(words: Iterable[str]) -> frozenset[str]:
    return frozenset(form for word in words for form in _forms(word))


SPEECH_FORMS = _lexicon(_SPEECH)
COGNITION_FORMS = _lexicon(_COGNITION)
INTENTION_FORMS = _lexicon(_INTENTION)
OBJECT_FORMS = _lexicon(_OBJECT)
CUE_FORMS = SPEECH_FORMS | COGNITION_FORMS | INTENTION_FORMS | OBJECT_FORMS
# "put it" ("as he put it, ...") and "point" ("pointed out") are cues only with their particle
_NEEDS_PARTICLE = {"point": "out", "points": "out", "pointed": "out", "pointing": "out"}
_NEEDS_PARTICLE |= {form: "it" for form in _forms("put")}  # "as she put it"
_NAMING = _lexicon(_wordlist("call name label"))
_PREP_CUES = _lexicon(_wordlist("call ask comment speak write talk refer"))
_RECIPIENT_VERBS = _lexicon(_wordlist("tell inform assure reassure remind ask warn advise"))

PRONOUNS_PERSON = frozenset({"he", "she", "him", "her"})
PRONOUNS_GROUP = frozenset({"they", "them"})
PRONOUNS_THING = frozenset({"it"})
PRONOUNS = PRONOUNS_PERSON | PRONOUNS_GROUP | PRONOUNS_THING | {"who", "which", "that"}
# heads of descriptions that name nobody: "a source", "officials", "the interlocutor"
ANONYMOUS_HEADS = frozenset(
    _wordlist("""source sources interlocutor interlocutors official officials insider insiders aide
    aides person people diplomat diplomats spokesman spokeswoman spokesperson representative
    representatives employee employees staffer staffers adviser advisers advisor advisors
    member members witness witnesses""")
)
_INDEFINITE = frozenset({"a", "an", "one", "two", "three", "several", "some", "many", "other"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})

CHANNELS: dict[str, str] = {
    "twitter": "Twitter",
    "tweet": "Twitter",
    "facebook": "Facebook",
    "telegram": "Telegram",
    "instagram": "Instagram",
    "youtube": "YouTube",
    "statement": "a statement",
    "interview": "an interview",
    "briefing": "a briefing",
    "speech": "a speech",
    "letter": "a letter",
}
_TWO_WORD_CHANNELS = {
    ("press", "conference"): "a press conference",
    ("news", "conference"): "a press conference",
    ("televised", "address"): "a televised address",
    ("television", "address"): "a televised address",
    ("tv", "address"): "a televised address",
}
_CHANNEL_PREPS = frozenset({"on", "in", "at", "during", "via", "through", "over"})

# --------------------------------------------------------------------------- quote marks

_MARK = re.compile(r"``|''|[\"“”„«»]")
_OPENERS = frozenset({"“", "„", "«", "``"})
_CLOSERS = frozenset({"”", "»", "''"})
_LINE = re.compile(r"[^\n]+")
_QUOTE_CHARS = "\"“”„«»`'"
_SPACES = " \n\t\r\xa0\u2009\u200a\u202f"  # no-break and thin spaces separate too


@dataclass
class _Piece:
    """One paragraph's stretch of quoted text (content only, marks excluded)."""

    start: int
    end: int
    opened_line: bool  # the mark that opens it is the first thing in its paragraph
    unclosed: bool
    previous: _Piece | None = None  # the piece it continues (multi-paragraph quote)
    attribution: _Attribution | None = None
    mixed: bool = False


def _is_opening(text: str, start: int, end: int, mark: str) -> bool | None:
    """Whether a mark opens a quote: by its shape, else by the characters around it;
    None when a straight mark has space on both sides (it closes an open quote)."""
    before = text[start - 1] if start > 0 else "\n"
    after = text[end] if end < len(text) else "\n"
    if mark in _OPENERS:
        # a mis-typed opener glued to the word before it and followed by space closes
        return not (before.isalnum() or before in ".,!?") or not after.isspace()
    if mark in _CLOSERS:
        return (before.isspace() or before in "([—–") and after.isalnum()
    spaced_before = before.isspace() or before in "([{—–-/"
    spaced_after = after.isspace() or after in ",.;:!?)]}—–-"
    if spaced_before and spaced_after:
        return None
    if spaced_before:
        return True
    if spaced_after:
        return False
    return not (before.isalnum() or before in ".,;:!?…)%'")


def quote_pieces(text: str) -> list[_Piece]:
    """Quoted stretches of ``text``, each within one line, continuations linked."""
    pieces: list[_Piece] = []
    for line in _LINE.finditer(text):
        found = _line_pieces(text, line.start(), line.end())
        if pieces and found and pieces[-1].unclosed and found[0].opened_line:
            found[0].previous = pieces[-1]
        pieces.extend(found)
    return pieces


def _line_pieces(text: str, line_start: int, line_end: int) -> list[_Piece]:
    found: list[_Piece] = []
    opened: tuple[int, bool] | None = None  # content start, opens the line
    first = len(text[line_start:line_end]) - len(text[line_start:line_end].lstrip())
    for match in _MARK.finditer(text, line_start, line_end):
        start, end = match.span()
        opening = _is_opening(text, start, end, match.group())
        if opening is None:
            opening = opened is None
        if opening:
            if opened is None:
                opened = (end, start == line_start + first)
            continue  # an opener inside an open quote is a nested or stray mark
        if opened is not None:
            found.append(_Piece(opened[0], start, opened[1], unclosed=False))
            opened = None
    if opened is not None:
        found.append(_Piece(opened[0], line_end, opened[1], unclosed=True))
    return [p for p in (_trim(text, p) for p in found) if p.end > p.start]


def _trim(text: str, piece: _Piece) -> _Piece:
    while piece.start < piece.end and text[piece.start].isspace():
        piece.start += 1
    while piece.end > piece.start and text[piece.end - 1].isspace():
        piece.end -= 1
    return piece


# --------------------------------------------------------------------------- attributions


@dataclass
class _Attribution:
    """A cue with its speaker phrase and content, before speakers are resolved."""

    cue: Token
    cue_start: int
    cue_end: int
    subject: Span | None
    content: tuple[int, int] | None  # characters; None when the content is only quoted
    channel: str | None = None
    pieces: list[_Piece] = field(default_factory=list)
    speaker: Speaker | None = None
    according: bool = False


class _Index:
    """Character offsets to tokens, and which characters are quoted."""

    def __init__(self, doc: Doc, text: str, pieces: list[_Piece]) -> None:
        self.doc = doc
        self.text = text  # Doc.text joins every token on each access
        self.starts = [t.idx for t in doc]
        self.piece_starts = [p.start for p in pieces]
        self.pieces = pieces
        # Token.sent walks the document each time; one pass here serves every lookup
        self.sentences = list(doc.sents)
        self.sentence_starts = [sent.start for sent in self.sentences]

    def sentence(self, token: int) -> int:
        """The number of the sentence holding a token."""
        return max(0, bisect.bisect_right(self.sentence_starts, token) - 1)

    def token_at(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.starts, char) - 1)

    def piece_at(self, char: int) -> _Piece | None:
        i = bisect.bisect_right(self.piece_starts, char) - 1
        if i >= 0 and self.pieces[i].start <= char < self.pieces[i].end:
            return self.pieces[i]
        return None

    def quoted(self, token: Token) -> bool:
        return self.piece_at(token.idx) is not None


def _cues(doc: Doc, index: _Index) -> list[_Attribution]:
    found: list[_Attribution] = []
    for token in doc:
        lower = token.lower_
        if lower == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            attribution = _according(doc, token, index)
        elif lower in CUE_FORMS and token.tag_.startswith("VB") and not index.quoted(token):
            attribution = _verb_cue(doc, token, index)
        else:
            continue
        if attribution is not None:
            found.append(attribution)
    return found


def _according(doc: Doc, token: Token, index: _Index) -> _Attribution | None:
    """ "According to X, ...": X speaks; the rest of the sentence is what X said."""
    if index.quoted(token):
        return None
    to = doc[token.i + 1]
    objects = [c for c in to.children if c.dep_ == "pobj"]
    if not objects:
        return None
    source = doc[objects[0].left_edge.i : objects[0].right_edge.i + 1]
    sentence = index.sentences[index.sentence(token.i)]
    phrase_start, phrase_end = token.i, source.end
    if phrase_start == sentence.start:
        start = doc[phrase_end].idx if phrase_end < len(doc) else len(index.text)
        content = _trim_chars(index.text, start, sentence.end_char)
    else:
        content = _trim_chars(index.text, sentence.start_char, token.idx)
    return _Attribution(token, token.idx, to.idx + len(to.text), source, content, according=True)


def _verb_cue(doc: Doc, verb: Token, index: _Index) -> _Attribution | None:
    lower = verb.lower_
    particle = _NEEDS_PARTICLE.get(lower)
    if particle and not any(
        c.dep_ in ("prt", "dobj") and c.lower_ == particle for c in verb.children
    ):
        return None
    if particle == "it" and not any(c.lower_ == "as" for c in verb.children):
        return None
    subject = _subject(verb)
    if subject is None:
        return None
    content = _content(doc, verb, subject)
    end = _cue_extent(doc, verb)
    attribution = _Attribution(
        verb, verb.idx, doc[end - 1].idx + len(doc[end - 1].text), subject, None
    )
    if content is not None:
        attribution.content = _trim_chars(
            index.text, doc[content[0]].idx, _end_char(doc, content[1])
        )
    attribution.channel = _channel(verb)
    return attribution


def _subject(verb: Token) -> Span | None:
    """The subject, or the subject of the verb it is joined to ("... and said", "adding")."""
    current: Token | None = verb
    for _ in range(4):
        if current is None:
            break
        for child in current.children:
            if child.dep_ in _SUBJECT_DEPS:
                return _phrase(child)
            if child.dep_ == "agent":
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects:
                    return _phrase(objects[0])
        current = _governing_verb(current)
    return _inverted_subject(verb)


def _governing_verb(verb: Token) -> Token | None:
    """The verb whose subject a subjectless one shares: "... and said", "adding",
    "by saying" (through the preposition), "issued a statement saying" (through the
    object the participle describes)."""
    head = verb.head
    if head is verb:
        return None
    if verb.dep_ in ("conj", "advcl", "xcomp"):
        return head
    if verb.dep_ == "pcomp" and head.dep_ == "prep" and head.head is not head:
        return head.head
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and head.dep_ in ("dobj", "pobj"):
        governor = head.head.head if head.dep_ == "pobj" else head.head
        return governor if governor.pos_ in ("VERB", "AUX") else None
    return None


def _inverted_subject(verb: Token) -> Span | None:
    """ "..., tweeted Rubio spokesman Alex Conant": the parser often misses the subject
    after a verb of saying that follows a quote."""
    if verb.lower_ not in SPEECH_FORMS or verb.i == 0 or not verb.doc[verb.i - 1].is_punct:
        return None
    for child in verb.rights:
        if child.dep_ in ("dobj", "attr", "npadvmod", "dep", "appos", "oprd") and child.pos_ in (
            "PROPN",
            "NOUN",
        ):
            return _phrase(child)
    return None


def _phrase(head: Token) -> Span:
    """The noun phrase a head stands for, without a trailing comma or a relative clause."""
    doc = head.doc
    start, end = head.left_edge.i, head.right_edge.i + 1
    for child in head.rights:
        if child.dep_ in ("relcl", "acl", "appos") or child.text in (",", "(", "—", "–"):
            end = min(end, child.left_edge.i)
            break
    while end > start + 1 and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    while start < end - 1 and (doc[start].is_punct or doc[start].is_space):
        start += 1
    return doc[start:end]


def _content(doc: Doc, verb: Token, subject: Span) -> tuple[int, int] | None:
    """Token range of what the cue attributes: complement, infinitive, object, or host."""
    lower = verb.lower_
    children = list(verb.children)
    clausal = lower in SPEECH_FORMS or lower in COGNITION_FORMS or lower in INTENTION_FORMS
    complements = [c for c in children if c.dep_ == "ccomp"] if clausal else []
    right = [c for c in complements if c.i > verb.i]
    if right:  # "noted that calls ... are illegal" may come as two complements
        return right[0].left_edge.i, right[-1].right_edge.i + 1
    for child in complements:
        if _set_off(doc, child.right_edge.i, min(verb.i, subject.start)):
            return child.left_edge.i, child.right_edge.i + 1
    if lower in INTENTION_FORMS:
        for child in children:
            if child.dep_ == "xcomp" and child.i > verb.i:
                objects = [c for c in children if c.dep_ in ("dobj", "dative") and c.i < child.i]
                first = objects[0].left_edge.i if objects else child.left_edge.i
                return first, child.right_edge.i + 1
    if lower in OBJECT_FORMS:
        for child in children:
            if child.dep_ == "dobj" and child.i > verb.i:
                if lower in _NAMING:  # "called it shameful": the object and what it is called
                    return child.left_edge.i, max(
                        c.right_edge.i for c in verb.rights if not c.is_punct
                    ) + 1
                return child.left_edge.i, _object_end(child)
    if lower in _PREP_CUES:
        for child in children:
            if child.dep_ == "prep" and child.i > verb.i and child.lower_ in ("for", "on", "about"):
                return child.i + 1, child.right_edge.i + 1
    if lower in SPEECH_FORMS:
        return _host_clause(doc, verb, subject)
    return None


def _set_off(doc: Doc, start: int, end: int) -> bool:
    """Content before its cue is set off by a comma or a closing mark: "..., he said"."""
    return any(
        doc[i].text in (",", "''", "”", '"', "—", "–") for i in range(start, min(end, start + 3))
    )


def _object_end(obj: Token) -> int:
    """The object with its "of"/"for" phrase ("accused him of lying")."""
    end = obj.right_edge.i + 1
    for sibling in obj.head.rights:
        if sibling.i > obj.i and sibling.dep_ == "prep" and sibling.lower_ in ("of", "for", "as"):
            end = sibling.right_edge.i + 1
    return end


def _host_clause(doc: Doc, verb: Token, subject: Span) -> tuple[int, int] | None:
    """ "Kazakhstan has not asked, a source said": the clause the cue interrupts."""
    if verb.dep_ in ("parataxis", "ccomp", "advcl", "conj") and verb.head.i < verb.i:
        start = verb.head.left_edge.i
        end = min(verb.left_edge.i, subject.start, verb.i)
        if end > start and _set_off(doc, end - 1, end):
            return start, end
    return None


def _end_char(doc: Doc, token_end: int) -> int:
    last = doc[token_end - 1]
    return last.idx + len(last.text)


def _trim_chars(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Content without the punctuation and space at its edges (quote marks stay)."""
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",.;:—–-"):
        end -= 1
    return (start, end) if end > start else None


def _cue_extent(doc: Doc, verb: Token) -> int:
    """The cue's end: the verb, its particle, a recipient and a channel right after it."""
    end = verb.i + 1
    for child in sorted(verb.rights, key=lambda c: c.i):
        if child.left_edge.i != end:
            break
        takes = (
            child.dep_ == "prt"
            or (
                child.dep_ in ("dobj", "dative")
                and verb.lower_ in _RECIPIENT_VERBS
                and _is_recipient(child)
            )
            or (
                child.dep_ == "prep"
                and child.lower_ in _CHANNEL_PREPS
                and _channel_of(child) is not None
            )
        )
        if not takes:
            break
        end = child.right_edge.i + 1
    return end


def _is_recipient(token: Token) -> bool:
    return (
        token.pos_ in ("PROPN", "PRON")
        or token.ent_type_ != ""
        or token.lower_
        in (
            "reporters",
            "journalists",
            "agency",
            "newspaper",
            "radio",
            "television",
            "lawmakers",
            "supporters",
            "audience",
            "crowd",
        )
    )


def _channel(verb: Token) -> str | None:
    if verb.lower_ in ("tweet", "tweets", "tweeted", "tweeting"):
        return "Twitter"
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in _CHANNEL_PREPS:
            found = _channel_of(child)
            if found:
                return found
    return None


def _channel_of(prep: Token) -> str | None:
    """The channel a prepositional phrase names ("on Twitter", "at a press conference")."""
    words = [t.lower_ for t in prep.subtree][1:6]
    for first, second in itertools.pairwise(words):
        if (first, second) in _TWO_WORD_CHANNELS:
            return _TWO_WORD_CHANNELS[first, second]
    for word in words:
        if word in CHANNELS:
            return CHANNELS[word]
    return None


# --------------------------------------------------------------------------- attaching


def _words(text: str) -> int:
    return sum(1 for w in text.split() if any(c.isalnum() for c in w))


def _unquoted_words(text: str, start: int, end: int, pieces: list[_Piece]) -> int:
    count, cursor = 0, start
    for piece in pieces:
        if piece.end <= start or piece.start >= end:
            continue
        count += _words(text[cursor : max(cursor, piece.start)])
        cursor = max(cursor, piece.end)
    return count + _words(text[cursor:end])


def _attach(doc: Doc, pieces: list[_Piece], cues: list[_Attribution], index: _Index) -> None:
    text = index.text
    by_token = {a.cue.i: a for a in cues}
    for a in cues:  # fragments of mixed speech, and quotes that are a cue's whole content
        if a.content is None:
            continue
        start, end = a.content
        touching = [p for p in pieces if p.start < end and start < p.end]
        if not touching:
            continue
        mixed = _unquoted_words(text, start, end, touching) >= 2
        if mixed:  # the quoted fragments of reported speech
            touching = [p for p in touching if start <= p.start and p.end <= end + 1]
        else:  # the content is the quote: a direct quotation with this cue
            a.content = None
        for piece in touching:
            if piece.attribution is None:
                piece.attribution, piece.mixed = a, mixed
                a.pieces.append(piece)
    for piece in pieces:
        if piece.attribution is None:
            cue = (
                _frame_cue(doc, piece, index, by_token)
                or _dash(doc, piece, index, cues)
                or _colon(doc, piece, index, cues)
            )
            if cue is not None:
                piece.attribution = cue
                cue.pieces.append(piece)
    _continue(text, pieces, cues, index)


def _frame_cue(
    doc: Doc, piece: _Piece, index: _Index, by_token: dict[int, _Attribution]
) -> _Attribution | None:
    """The cue next to a quote within its sentence: after it first, then before it."""
    text = index.text
    after_start = min(len(text), piece.end + 1)
    after_end = _boundary_after(text, after_start, index)
    final = text[piece.end - 1 : piece.end] in (".", "!", "?", "…") if piece.end else False
    candidates = _cues_in(doc, after_start, after_end, index, by_token)
    if final and candidates and (after_end - after_start) > 80:
        candidates = []  # a finished sentence is followed by a new one, not its frame
    if candidates:
        return candidates[0]
    before_start = _boundary_before(text, piece.start - 1, index)
    before = _cues_in(doc, before_start, max(before_start, piece.start - 1), index, by_token)
    return before[-1] if before else None


def _colon(doc: Doc, piece: _Piece, index: _Index, cues: list[_Attribution]) -> _Attribution | None:
    """ "Continued Stone: '...'", "Perez lobbies for a higher wage: '...'": a quote after a
    colon is spoken by the name right before the colon, else by the subject of the clause
    the colon ends."""
    text = index.text
    before = text[: piece.start].rstrip(_QUOTE_CHARS + _SPACES)
    if not before.endswith(":") or text.count("\n", len(before), piece.start) > 2:
        return None  # the colon may end the paragraph before ("X said: \n\n '...'")
    colon = doc[index.token_at(len(before) - 1)]
    if colon.text != ":" or colon.i == 0:
        return None
    last = doc[colon.i - 1]
    named = last.pos_ == "PROPN" and last.ent_type_ in ("PERSON", "ORG", "")
    through_preposition = last.dep_ == "pobj" and last.ent_type_ != "PERSON"  # "on Twitter:"
    if named and not through_preposition and not index.quoted(last):
        first = last.i
        while first > 0 and doc[first - 1].pos_ == "PROPN" and "\n" not in doc[first - 1].text:
            first -= 1
        return _colon_attribution(colon, doc[first : last.i + 1], cues)
    sentence = index.sentences[index.sentence(colon.i)]
    verb = sentence.root if sentence.root.i < colon.i else None
    subject = _subject(verb) if verb is not None and verb.pos_ in ("VERB", "AUX") else None
    if subject is None or subject.end > colon.i or index.quoted(subject.root):
        return None
    return _colon_attribution(verb or colon, subject, cues)


def _colon_attribution(cue: Token, subject: Span, cues: list[_Attribution]) -> _Attribution:
    attribution = _Attribution(cue, cue.idx, cue.idx + len(cue.text), subject, None)
    cues.append(attribution)
    return attribution


_DASH = re.compile(r"[\s\"”'’]*[—–―]|[\s\"”'’]*--?(?=\s)")


def _dash(doc: Doc, piece: _Piece, index: _Index, cues: list[_Attribution]) -> _Attribution | None:
    """ "'...' — Albert Einstein": a dash and a name right after the quote attribute it."""
    text = index.text
    match = _DASH.match(text, piece.end)
    if match is None or text.count("\n", piece.end, match.end()) > 2:
        return None
    dash = doc[index.token_at(match.end() - 1)]
    first = dash.i + 1
    while first < len(doc) and doc[first].is_space:
        first += 1
    last = first
    while last < len(doc) and doc[last].pos_ == "PROPN" and "\n" not in doc[last].text:
        last += 1
    if last == first:
        return None
    attribution = _Attribution(dash, dash.idx, dash.idx + len(dash.text), doc[first:last], None)
    cues.append(attribution)
    return attribution


def _cues_in(
    doc: Doc, start: int, end: int, index: _Index, by_token: dict[int, _Attribution]
) -> list[_Attribution]:
    if end <= start:
        return []
    first, last = index.token_at(start), index.token_at(end - 1)
    found = []
    for i in range(first, last + 1):
        a = by_token.get(i)
        if a is None or a.cue.idx < start or not (a.according or a.cue.lower_ in SPEECH_FORMS):
            continue
        if a.content is None or not _outside(a.content, start, end):
            found.append(a)
    return found


def _outside(content: tuple[int, int], start: int, end: int) -> bool:
    """A cue whose own content is elsewhere ("He said he was tired.") frames nothing."""
    return content[0] >= start and content[1] <= end and content[1] - content[0] > 3


def _boundary_after(text: str, start: int, index: _Index) -> int:
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    next_piece = bisect.bisect_left(index.piece_starts, start)
    if next_piece < len(index.pieces):
        line_end = min(line_end, index.pieces[next_piece].start - 1)
    for match in _SENTENCE_END.finditer(text, start, line_end):
        if not _abbreviation(text, match.start()):
            return match.end()
    return max(start, line_end)


def _boundary_before(text: str, end: int, index: _Index) -> int:
    line_start = text.rfind("\n", 0, end) + 1
    previous = bisect.bisect_left(index.piece_starts, end) - 1
    while previous >= 0 and index.pieces[previous].start >= end:
        previous -= 1
    if previous >= 0:
        line_start = max(line_start, index.pieces[previous].end + 1)
    last = line_start
    for match in _SENTENCE_END.finditer(text, line_start, end):
        if not _abbreviation(text, match.start()):
            last = match.end()
    return last


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_ABBREVIATIONS = frozenset(
    _wordlist(
        "mr mrs ms dr sen rep gov gen col lt sgt st jr sr prof rev pres u.s u.k u.n no vs inc corp co"
    )
)


def _abbreviation(text: str, period: int) -> bool:
    """ "Mr. Rhodes said": the period of a title or an initial ends no sentence."""
    if text[period] != ".":
        return False
    start = period
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:period].lower()
    return len(word) == 1 or word in _ABBREVIATIONS


def _continue(text: str, pieces: list[_Piece], cues: list[_Attribution], index: _Index) -> None:
    """Quotes with no cue of their own continue the one before (or the chain they are in)."""
    for piece in pieces:  # a multi-paragraph chain shares one attribution, wherever its cue is
        chain = _chain(piece)
        owner = next((p.attribution for p in chain if p.attribution is not None), None)
        for member in chain:
            if member.attribution is None and owner is not None:
                member.attribution = owner
                owner.pieces.append(member)
    previous: _Piece | None = None
    ends = sorted((a.content[1] if a.content else a.cue_end, n) for n, a in enumerate(cues))
    for piece in pieces:
        owner = None
        if (
            piece.attribution is None
            and previous is not None
            and previous.attribution is not None
            and (not previous.mixed or previous.attribution.cue_start > previous.end)
            and _continues(text, previous, piece, index)
        ):
            owner = previous.attribution
        if piece.attribution is None and owner is None:
            owner = (
                _lead_in(text, piece, cues, ends)
                or _introduced(piece, cues, index)
                or _own_sentence(piece, cues, index)
            )
        if owner is not None:
            piece.attribution = owner
            owner.pieces.append(piece)
        previous = piece


def _lead_in(
    text: str, piece: _Piece, cues: list[_Attribution], ends: list[tuple[int, int]]
) -> _Attribution | None:
    """A quote right after a reported statement or "X said:" takes that attribution:
    "She said they had made progress. 'I really believe ...'" """
    i = bisect.bisect_left(ends, (piece.start, -1)) - 1
    if i < 0:
        return None
    end, n = ends[i]
    gap = text[end : piece.start]
    if gap.count("\n") > 2 or gap.strip(_QUOTE_CHARS + _SPACES + ".:;,—–-"):
        return None
    return cues[n]


def _introduced(piece: _Piece, cues: list[_Attribution], index: _Index) -> _Attribution | None:
    """ "Clinton touted her record. 'We need ...'": a quote opening a sentence, in the
    paragraph of a sentence whose subject is a name or a person's pronoun, is that
    subject's words (the news convention of introducing a speaker, then quoting)."""
    text = index.text
    before = text[: piece.start].rstrip(_QUOTE_CHARS + _SPACES)
    if not before.endswith((".", "!", "?")) or "\n" in text[len(before) : piece.start]:
        return None
    sentence = index.sentences[index.sentence(index.token_at(len(before) - 1))]
    verb = sentence.root
    if verb.pos_ not in ("VERB", "AUX") or index.quoted(verb):
        return None
    subject = _subject(verb)
    if subject is None or index.quoted(subject.root):
        return None
    head = subject.root
    if subject.text.isupper():  # a dateline ("WASHINGTON —") parsed as the subject
        return None
    if not (head.pos_ in ("PROPN", "NOUN") or head.lower_ in PRONOUNS_PERSON):
        return None
    attribution = _Attribution(verb, verb.idx, verb.idx + len(verb.text), subject, None)
    cues.append(attribution)
    return attribution


def _own_sentence(piece: _Piece, cues: list[_Attribution], index: _Index) -> _Attribution | None:
    """ "Clinton fired back that the 'people of New York voted for me twice'": a quote after
    the main verb of a sentence whose subject is a name or a person's pronoun is that
    subject's words, whatever the verb (most verbs of a speaker's sentence report speech)."""
    sentence = index.sentences[index.sentence(index.token_at(piece.start))]
    verb = sentence.root
    if verb.pos_ not in ("VERB", "AUX") or verb.idx >= piece.start or index.quoted(verb):
        return None
    subject = _subject(verb)
    if subject is None or index.quoted(subject.root) or subject.end > verb.i:
        return None
    if subject.text.isupper():  # a dateline ("WASHINGTON —") parsed as the subject
        return None
    if not (subject.root.pos_ in ("PROPN", "NOUN") or subject.root.lower_ in PRONOUNS_PERSON):
        return None
    attribution = _Attribution(verb, verb.idx, verb.idx + len(verb.text), subject, None)
    cues.append(attribution)
    return attribution


def _continues(text: str, previous: _Piece, piece: _Piece, index: _Index) -> bool:
    """A quote right after the sentence (or paragraph) that ends with the previous quote
    and its attribution: "'...,' she said. '...'" """
    gap = text[previous.end : piece.start]
    if gap.count("\n") > 2:
        return False
    if not gap.strip(_QUOTE_CHARS + _SPACES):
        return True
    boundary = _boundary_after(text, min(len(text), previous.end + 1), index)
    rest = text[max(boundary, previous.end) : piece.start]
    cue = previous.attribution.cue_start if previous.attribution else -1
    return previous.end <= cue < boundary and not rest.strip(_QUOTE_CHARS + _SPACES)


def _chain(piece: _Piece) -> list[_Piece]:
    chain = [piece]
    while chain[-1].previous is not None:
        chain.append(chain[-1].previous)  # type: ignore[arg-type]
    return chain


# --------------------------------------------------------------------------- speakers


@dataclass
class _Resolver:
    """Speakers in text order, each resolved against what came before it."""

    doc: Doc
    entities: list[EntityMention]
    index: _Index
    speakers: list[tuple[int, Speaker, bool]] = field(default_factory=list)  # pos, speaker, person

    def __post_init__(self) -> None:
        self.entity_starts = [e.start for e in self.entities]
        self.gender = _genders(self.doc, self.entities, self.index)
        self.resolving: int | None = None  # the pronoun being resolved: its own vote is out

    def resolve(self, phrase: Span) -> Speaker | None:
        head = phrase.root
        speaker = self._named(phrase, head)
        person = True
        if speaker is None and head.lower_ in PRONOUNS:
            self.resolving = head.i
            speaker = self._pronoun(head)
            self.resolving = None
            self.gender.resolved(head.i, speaker.canonical if speaker else None)
            # "he said" settles the speaker's gender for the pronouns that follow
            if speaker is not None and (gender := _GENDER.get(head.lower_)):
                self.gender.settle(speaker.canonical, gender)
        elif speaker is None:
            speaker = self._description(phrase, head)
        if speaker is not None:
            person = speaker.anonymous or self._is_person(speaker)
            self.speakers.append((phrase.start_char, speaker, person))
        return speaker

    def _entities_in(self, start: int, end: int) -> list[EntityMention]:
        i = bisect.bisect_left(self.entity_starts, start)
        while i > 0 and self.entities[i - 1].end > start:
            i -= 1
        found = []
        while i < len(self.entities) and self.entities[i].start < end:
            if self.entities[i].end > start:
                found.append(self.entities[i])
            i += 1
        return found

    def _named(self, phrase: Span, head: Token) -> Speaker | None:
        found = self._entities_in(phrase.start_char, phrase.end_char)
        holding = [e for e in found if e.start <= head.idx < e.end]
        if not holding and head.lower_ not in ANONYMOUS_HEADS:
            holding = [e for e in found if e.kind == "person"] or [
                e for e in found if e.kind in ("organisation", "media", "group")
            ]
        if not holding:
            return None
        entity = holding[-1]
        return Speaker(entity.text, entity.start, entity.end, entity.canonical, entity.entity_id)

    def _gender(self, name: str, default: str | None) -> str | None:
        return self.gender.of(name, self.resolving) or default

    def _is_person(self, speaker: Speaker) -> bool:
        return any(e.kind == "person" for e in self._entities_in(speaker.start, speaker.end))

    def _pronoun(self, head: Token) -> Speaker | None:
        lower = head.lower_
        if lower in ("who", "which", "that") and head.head.dep_ == "relcl":
            return self.resolve(_phrase(head.head.head))
        kinds = (
            {"person"} if lower in PRONOUNS_PERSON else {"organisation", "media", "group", "place"}
        )
        gender = _GENDER.get(lower)
        sentences = _sentences_back(self.index, head, 12)
        # the latest speaker or main subject of the last sentences, then anyone fitting
        found = self._recent(sentences[:3], head.idx, kinds, gender)
        # a person the text shows to be "she" beats a nearer one it says nothing about
        passes = [(2, True), (1, True)] if gender else []
        for rank, strict in [*passes, (2, False), (1, False)]:
            for sentence in sentences[: 3 if strict else None]:
                if found is not None:
                    return found
                limit = min(head.idx, sentence.end_char)
                found = self._candidates(sentence.start_char, limit, kinds, gender, rank, strict)
        return found or self._last_speaker(0, head.idx, gender)

    def _recent(
        self, sentences: list[Span], before: int, kinds: set[str], gender: str | None
    ) -> Speaker | None:
        """The latest of the running speaker and a sentence's main subject, nearest
        sentence first: "Trump said .... Calderon was disappointed. '...,' he said." A subject
        must be shown to have the pronoun's gender (by title, name or text)."""
        strict = gender is not None
        for sentence in sentences:
            limit = min(before, sentence.end_char)
            speaker = self._last_speaker_at(sentence.start_char, limit, gender)
            subject = self._candidates(sentence.start_char, limit, kinds, gender, 2, strict)
            if speaker is not None and (subject is None or speaker[0] >= subject.start):
                return speaker[1]
            if subject is not None:
                return subject
        return None

    def _last_speaker(self, after: int, before: int, gender: str | None) -> Speaker | None:
        found = self._last_speaker_at(after, before, gender)
        return found[1] if found else None

    def _last_speaker_at(
        self, after: int, before: int, gender: str | None
    ) -> tuple[int, Speaker] | None:
        for pos, speaker, is_person in reversed(self.speakers):
            fits = gender is None or self._gender(speaker.canonical, gender) == gender
            if after <= pos < before and is_person == (gender is not None) and fits:
                return pos, speaker
        return None

    def _candidates(
        self,
        start: int,
        end: int,
        kinds: set[str],
        gender: str | None,
        rank: int,
        strict: bool = False,
    ) -> Speaker | None:
        """A fitting entity in a stretch: with ``rank`` 2 only a main-clause subject, with
        1 the first one. A person of the other gender (by the text's pronouns) is skipped."""
        for e in self._entities_in(start, end):
            if e.kind not in kinds or e.end > end or self.index.piece_at(e.start) is not None:
                continue
            if gender and self._gender(e.canonical, None if strict else gender) != gender:
                continue
            if rank == 1 or _main_subject(
                self.doc, self.index.token_at(e.start), self.index.token_at(e.end - 1)
            ):
                return Speaker(e.text, e.start, e.end, e.canonical, e.entity_id)
        return None

    def _description(self, phrase: Span, head: Token) -> Speaker | None:
        if head.pos_ not in ("NOUN", "PROPN"):
            return None
        words = [t.lower_ for t in phrase]
        text = phrase.text
        anonymous = head.lower_ in ANONYMOUS_HEADS and head.pos_ == "NOUN"
        definite = bool(words) and (
            words[0] in ("the", "this", "that") or any(t.tag_ == "POS" for t in phrase)
        )
        if definite:
            earlier = self._earlier(head.lower_, anonymous)
            if earlier is not None:
                return Speaker(
                    text,
                    phrase.start_char,
                    phrase.end_char,
                    earlier.canonical,
                    earlier.entity_id,
                    earlier.anonymous,
                )
        if anonymous or (words and words[0] in _INDEFINITE):
            return Speaker(text, phrase.start_char, phrase.end_char, text, None, anonymous)
        return Speaker(text, phrase.start_char, phrase.end_char, text, None, False)

    def _earlier(self, head: str, anonymous: bool) -> Speaker | None:
        """The speaker a definite description takes up: the last anonymous one, or the last
        one whose description or title shares its head ("the chairman")."""
        for _, speaker, _ in reversed(self.speakers):
            if anonymous and speaker.anonymous:
                return speaker
            if head in speaker.text.lower().split():
                return speaker
        if not anonymous:
            return self._titled(head)
        return None

    def _titled(self, head: str) -> Speaker | None:
        """A named person introduced with the title ("OSCE Chairman Zbigniew Rau")."""
        for e in reversed(self.entities):
            if e.kind != "person":
                continue
            token = self.index.token_at(e.start)
            before = [t.lower_ for t in self.doc[max(0, token - 5) : token]]
            if head in before:
                return Speaker(e.text, e.start, e.end, e.canonical, e.entity_id)
        return None


def _surnames_as_people(entities: list[EntityMention], speaking: set[int]) -> list[EntityMention]:
    """A surname alone that the tagger took for an organisation or a place ("Pence said")
    is the person the article named in full with it, when only one person has it: news
    style gives the full name once, then the surname. A single capitalised word the
    tagger did not find in the knowledge base and that speaks ("Calderon said") is a
    person too: institutions speak through longer names or acronyms."""
    by_surname: dict[str, set[tuple[str, str]]] = {}
    for e in entities:
        words = e.canonical.split()
        if e.kind == "person" and len(words) >= 2:
            by_surname.setdefault(words[-1].lower(), set()).add((e.canonical, e.entity_id))
    people: list[EntityMention] = []
    for e in entities:
        word = e.text.removesuffix("’s").removesuffix("'s").lower()
        named = by_surname.get(word, set())
        if e.kind != "person" and not e.entity_id.startswith("kb:") and len(named) == 1:
            canonical, entity_id = next(iter(named))
            e = replace(e, kind="person", canonical=canonical, entity_id=entity_id)
        elif e.kind in ("organisation", "place") and _lone_name(e) and e.start in speaking:
            e = replace(e, kind="person")
        people.append(e)
    return people


def _lone_name(e: EntityMention) -> bool:
    return (
        not e.entity_id.startswith("kb:")
        and " " not in e.text
        and e.text[:1].isupper()
        and not e.text.isupper()  # an acronym names an institution
    )


def _main_subject(doc: Doc, first: int, last: int) -> bool:
    """Whether the entity's head is the subject of its sentence's main verb (or of one
    joined to it)."""
    root = next(
        (t for t in doc[first : last + 1] if not (first <= t.head.i <= last) or t.head is t), None
    )
    if root is None or root.dep_ not in _SUBJECT_DEPS:
        return False
    verb = root.head
    while verb.dep_ == "conj" and verb.head is not verb:
        verb = verb.head
    return verb.dep_ == "ROOT"


_GENDER = {
    "he": "m",
    "him": "m",
    "his": "m",
    "himself": "m",
    "she": "f",
    "her": "f",
    "hers": "f",
    "herself": "f",
}
_TITLE_GENDER = {"mr": "m", "mr.": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f", "miss": "f"}


# Common first names by gender, a prior for people the text gives no pronoun or title for.
# Names used for both (Chris, Pat, Jordan, ...) are left out.
_MALE_NAMES = frozenset(
    _wordlist("""aaron abraham adam adrian ahmed al alan albert alberto alejandro alex alexander
    alfred ali allen alvin andre andrew andy angelo anthony antonio arnold arthur barack barry
    ben benjamin bernard bernie bill billy bob bobby boris brad bradley brandon brendan brent
    brett brian bruce bryan carl carlos chad charles charlie chuck clarence claude clifford
    clint colin craig curtis dale dan daniel danny darrell darren dave david dean dennis derek
    dick don donald doug douglas duncan dustin dwight earl ed eddie edgar eduardo edward edwin
    elijah elliott emmanuel enrique eric erik ernest eugene evan felipe fernando francis
    francisco frank franklin fred frederick gabriel gary gavin george gerald gilbert glenn
    gordon graham greg gregory harold harry hassan henry herbert howard hugh hugo ian isaac
    ivan jack jacob jake james jared jason javier jay jeb jeff jeffrey jeremy jerome jerry
    jesse jim jimmy joe joel john johnny jon jonathan jorge jose joseph josh joshua juan julian
    justin karl keith ken kenneth kevin kurt lance larry lawrence lee leon leonard lewis lindsey
    lloyd louis luis luke marco marcus mario mark martin marvin matt matthew maurice max michael
    miguel mike mitch mitchell mohammed muhammad nathan neil nicholas nick nigel noah norman
    oliver omar oscar owen pablo patrick paul pedro pete peter phil philip phillip rafael ralph
    ramon randy ray raymond reggie reginald reince ricardo richard rick rob robert roberto rodney
    roger ron ronald ross roy rudy russell ryan sam samuel scott sean sergei sergio seth shane
    sheldon simon stanley stephen steve steven stuart ted terry thomas tim timothy todd tom
    tommy tony travis trey tyler victor vincent vladimir wade walter warren wayne wesley will
    william willie xavier yusuf zachary""")
)
_FEMALE_NAMES = frozenset(
    _wordlist("""abigail ada adriana alice alicia alison amanda amber amy ana andrea angela
    anita ann anna anne annie april ashley audrey barbara becky betsy betty beverly bonnie
    brenda bridget brittany carla carly carmen carol caroline carolyn catherine cathy cecilia
    charlotte cheryl christina christine cindy claire claudia colleen connie cynthia daisy
    dana danielle daphne darlene debbie deborah debra denise diana diane donna doris dorothy
    edith eileen elaine eleanor elena elizabeth ella ellen emily emma erica erin esther eva
    evelyn fiona florence frances gabriela gail gina gloria grace gretchen hannah harriet
    heather heidi helen hillary holly ilhan irene isabel jacqueline jane janet janice jean
    jennifer jessica jill joan joanna joanne jodi josephine joy joyce judith judy julia julie
    karen katherine kathleen kathryn kathy katie kay kelly kellyanne kim kimberly kristen laura
    lauren leslie linda lisa lois loretta lori lucy lynn madeleine maria marie marilyn
    marsha martha mary maureen megan megyn melania melissa michelle monica nancy natalie nicole
    nikki nina nora olivia pamela patricia paula pauline peggy penny rachel rebecca rita roberta
    rosa rose ruth sally samantha sandra sara sarah sharon sheila shirley sonia sophia stephanie
    susan suzanne sylvia tammy teresa theresa tiffany tina tracy valerie vanessa victoria
    virginia wanda wendy yvonne""")
)


def _name_gender(name: str) -> str | None:
    """The gender a person's first name usually has, when it is in the lexicon."""
    words = name.lower().replace(".", " ").split()
    while words and words[0] in _TITLE_WORDS:
        words.pop(0)
    if len(words) < 2:  # a surname alone says nothing
        return None
    if words[0] in _MALE_NAMES:
        return "m"
    if words[0] in _FEMALE_NAMES:
        return "f"
    return None


_TITLE_WORDS = frozenset(
    _wordlist("mr mrs ms miss dr sen senator rep gov governor president judge justice gen")
)


@dataclass
class _Genders:
    """What the article shows of each person's gender: votes for "m" and "f", each vote
    remembered with the pronoun that cast it (a pronoun must not vote for its own reading)."""

    votes: dict[str, list[tuple[str, int, int | None]]] = field(default_factory=dict)
    settled: dict[str, str] = field(default_factory=dict)
    read_as: dict[int, str | None] = field(default_factory=dict)  # pronoun -> who it was

    def resolved(self, pronoun: int, name: str | None) -> None:
        """A pronoun read as someone else no longer votes for this one."""
        self.read_as[pronoun] = name

    def vote(self, name: str, gender: str, weight: int, pronoun: int | None = None) -> None:
        self.votes.setdefault(name, []).append((gender, weight, pronoun))

    def settle(self, name: str, gender: str) -> None:
        """A resolved pronoun's gender, for people the votes leave open."""
        if self.of(name) is None:
            self.settled.setdefault(name, gender)

    def of(self, name: str, skip: int | None = None) -> str | None:
        m = f = 0
        for gender, weight, pronoun in self.votes.get(name, ()):
            if pronoun is None or (pronoun != skip and self.read_as.get(pronoun, name) == name):
                m, f = (m + weight, f) if gender == "m" else (m, f + weight)
        if m != f:
            return "m" if m > f else "f"
        return self.settled.get(name)


def _genders(doc: Doc, entities: list[EntityMention], index: _Index) -> _Genders:
    """Each person's gender as the article shows it: a title ("Mrs."), the pronoun that
    follows a mention in its sentence before another person is named ("Ms Ode said her
    ..."), a pronoun subject of the next sentence when the person, alone, was the subject of
    this one ("Tokayev urged calm. He noted ..."), and the first name as a prior."""
    genders = _Genders()
    people = [e for e in entities if e.kind == "person"]
    for n, e in enumerate(people):
        first = index.token_at(e.start)
        if first > 0 and (title := _TITLE_GENDER.get(doc[first - 1].lower_)):
            genders.vote(e.canonical, title, 3)
        # only the mention's own sentence votes: a pronoun further on is what we resolve
        sentence_end = index.sentences[index.sentence(first)].end_char
        stop = min(people[n + 1].start if n + 1 < len(people) else len(index.text), sentence_end)
        for token in doc[index.token_at(e.end) : index.token_at(e.end) + 25]:
            if token.idx >= stop:
                break
            if (gender := _GENDER.get(token.lower_)) and not index.quoted(token):
                genders.vote(e.canonical, gender, 1, token.i)
                break
    _next_subject_votes(doc, people, index, genders)
    for name in {e.canonical for e in people}:  # the first name is a prior the text can overrule
        if prior := _name_gender(name):
            genders.vote(name, prior, 2)
    return genders


def _next_subject_votes(
    doc: Doc, people: list[EntityMention], index: _Index, genders: _Genders
) -> None:
    by_sentence: dict[int, list[EntityMention]] = {}
    for e in people:
        by_sentence.setdefault(index.sentence(index.token_at(e.start)), []).append(e)
    for n, named in by_sentence.items():
        if n + 1 >= len(index.sentences) or len({e.canonical for e in named}) != 1:
            continue
        e = named[0]
        if not _main_subject(doc, index.token_at(e.start), index.token_at(e.end - 1)):
            continue
        following = index.sentences[n + 1]
        subject = next((t for t in following if t.dep_ in _SUBJECT_DEPS), None)
        if subject is None or subject.head.dep_ != "ROOT" or index.quoted(subject):
            continue
        if gender := _GENDER.get(subject.lower_):
            genders.vote(e.canonical, gender, 1, subject.i)


def _sentences_back(index: _Index, token: Token, count: int) -> list[Span]:
    """The token's sentence and the ones before it, nearest first."""
    n = index.sentence(token.i)
    return index.sentences[max(0, n - count + 1) : n + 1][::-1]


# --------------------------------------------------------------------------- output


def find_quotes(doc: Doc, entities: list[EntityMention]) -> list[Quote]:
    """Direct, mixed and indirect quotations in ``doc.text``, in text order."""
    text = doc.text
    pieces = quote_pieces(text)
    index = _Index(doc, text, pieces)
    cues = _outermost(_cues(doc, index))
    _attach(doc, pieces, cues, index)
    speaking = {
        a.subject.root.idx for a in cues if a.subject is not None and a.cue.lower_ in SPEECH_FORMS
    }
    people = _surnames_as_people(sorted(entities, key=lambda e: e.start), speaking)
    resolver = _Resolver(doc, people, index)
    for a in sorted(cues, key=lambda a: a.subject.start if a.subject is not None else a.cue.i):
        if a.subject is not None and (a.pieces or a.content is not None):
            a.speaker = resolver.resolve(a.subject)
    quotes = [_direct(text, p) for p in pieces if _is_quotation(text, p)]
    quotes += [
        _indirect(text, a)
        for a in cues
        if a.content is not None and _words(text[a.content[0] : a.content[1]]) >= 2
    ]
    quotes.sort(key=lambda q: (q.start, q.end))
    return quotes


def _outermost(cues: list[_Attribution]) -> list[_Attribution]:
    """PolNeAR keeps the outermost attribution: a cue inside other content is content."""
    spans = [a.content for a in cues if a.content is not None]
    kept = []
    for a in cues:
        inside = any(s[0] <= a.cue_start < s[1] and s != a.content for s in spans)
        if not inside:
            kept.append(a)
    return kept


def _is_quotation(text: str, piece: _Piece) -> bool:
    """An attributed quote, or a long unattributed one; short unattributed ones are scare
    quotes and titles."""
    if piece.attribution is not None:
        return True
    return _words(text[piece.start : piece.end]) >= 8


def _direct(text: str, piece: _Piece) -> Quote:
    a = piece.attribution
    content = text[piece.start : piece.end]
    if a is None:
        return Quote(piece.start, piece.end, content, True)
    cue = Cue(text[a.cue_start : a.cue_end], a.cue_start, a.cue_end)
    return Quote(piece.start, piece.end, content, True, a.speaker, cue, a.channel)


def _indirect(text: str, a: _Attribution) -> Quote:
    assert a.content is not None
    start, end = a.content
    cue = Cue(text[a.cue_start : a.cue_end], a.cue_start, a.cue_end)
    return Quote(start, end, text[start:end], False, a.speaker, cue, a.channel)
