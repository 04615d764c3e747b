"""The 16 PLOVER event types with their modes, written from the public codebook definitions.

Source: the PLOVER manual (draft 2.0) as tabulated in NGEC's
``PLOVER_structured_codebook_updated.csv`` (MIT) — event definitions and mode names only,
paraphrased. Contexts are PLOVER 2.0's context names that the coder can recognise.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    name: str
    definition: str
    modes: tuple[str, ...]
    verbal: bool  # a speech act (no immediate material consequence)


TYPES: dict[str, EventType] = {
    t.name: t
    for t in (
        EventType("AGREE", "agree to, offer or promise to cooperate", (), True),
        EventType("CONSULT", "meetings, visits, calls", ("visit", "third-party", "multilateral", "phone"), True),
        EventType("SUPPORT", "verbal support, approval, signing agreements", (), True),
        EventType("CONCEDE", "verbal concessions, promises of future concessions", (), True),
        EventType("COOPERATE", "mutual material cooperation or exchange", (), False),
        EventType("AID", "material aid benefitting the recipient", (), False),
        EventType("RETREAT", "material concessions with immediate effect",
                  ("withdraw", "release", "return", "disarm", "ceasefire", "access", "resign"), False),
        EventType("REQUEST", "requests, demands and orders", ("assist", "change", "yield", "meet"), True),
        EventType("ACCUSE", "accusations, criticism, investigations", ("disapprove", "investigate", "allege"), True),
        EventType("REJECT", "rejections and refusals", ("assist", "change", "yield", "meet"), True),
        EventType("THREATEN", "threats and coercive warnings",
                  ("restrict", "ban", "arrest", "relations", "rights", "expel", "territory", "violence"), True),
        EventType("PROTEST", "civilian demonstrations and collective protest actions",
                  ("demo", "riot", "strike", "hunger", "boycott", "obstruct"), False),
        EventType("SANCTION", "reductions in existing relations", ("convict", "expel", "withdraw", "discontinue"), False),
        EventType("MOBILIZE", "military or police moves short of force", ("troops", "weapons", "police", "militia"), False),
        EventType("COERCE", "repression and coercion short of violence",
                  ("seize", "restrict", "ban", "censor", "curfew", "arrest", "deport", "withhold",
                   "misinformation", "cyber"), False),
        EventType("ASSAULT", "deliberate actions that can cause substantial physical harm",
                  ("abduct", "beat", "torture", "execute", "sexual", "assassinate", "destroy", "primitive",
                   "firearms", "explosives", "suicide-attack", "aerial", "drone", "heavy-weapons",
                   "crowd-control", "cleansing", "massacre", "unconventional"), False),
    )
}  # fmt: skip

AUX_MODES = ("asserted", "negated", "hypothetical", "future", "historical")
