"""PLOVER type/mode -> CAMEO root, quad class and CASE-2021 sub-event name.

The table (data/crosswalk.tsv) was written from CAMEO2PLOVER-2021.txt (openeventdata/PLOVER).
Quad classes follow the five-class ("penta") grouping of CAMEO roots that the ConfliBERT
CAMEO-class data uses — checked on its examples: appeals and statements ("urged", "called on
X to") are 0, meetings and praise 1, releases and aid 2, rejections and condemnations 3,
protests and attacks 4:

    0 statement/appeal     01-02
    1 verbal cooperation   03-05
    2 material cooperation 06-08
    3 verbal conflict      09-13
    4 material conflict    14-20
"""

from __future__ import annotations

from dateline.events.lexicon import Lexicon

# (first root, class) in ascending order; a root belongs to the last class it reaches.
_QUADS = ((1, 0), (3, 1), (6, 2), (9, 3), (14, 4))


def quad_class(cameo_root: str) -> int:
    root = int(cameo_root)
    return max(q for first, q in _QUADS if root >= first)


def derive(lexicon: Lexicon, type_: str, mode: str | None, cameo: str | None = None
           ) -> tuple[str, int, str | None]:  # fmt: skip
    """(cameo root, quad, acled name) for a coded event; ``cameo`` overrides the root."""
    root, acled = lexicon.crosswalk.get((type_, mode or ""), lexicon.crosswalk[(type_, "")])
    if mode and (type_, mode) not in lexicon.crosswalk:
        acled = lexicon.crosswalk[(type_, "")][1]
    root = cameo or root
    return root, quad_class(root), acled
