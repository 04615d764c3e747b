"""Copy groups: exact, truncated, wrapped and reworded reprints; negatives; the original."""

from __future__ import annotations

from dateline.stories.copies import CopyDetector, containment, shingle_hashes, words

BODY = "\n".join(
    f"Paragraph {n}: the harbour authority in Port Elm said on Tuesday that cargo ship number "
    f"{n} had been inspected after the storm, and that {n * 150} tonnes of grain were unloaded "
    f"before the crane operators ended their shift at the northern quay."
    for n in range(1, 11)
)
OTHER = "\n".join(
    f"Line {n}: the city orchestra of Valdora opened its winter season with a programme of "
    f"{n} symphonies, and critics praised the conductor for the brisk tempo of movement {n}."
    for n in range(1, 11)
)
JUNK = "Skip to main content\nHome | World | Sport\n"
FOOTER = "\nShare this article\nCopyright 2024 Example Daily. All rights reserved."


def detector_with_original() -> CopyDetector:
    detector = CopyDetector()
    assert detector.add("orig", BODY, "2024-01-05", "Harbour Times", None) is None
    return detector


def test_exact_copy_ignores_case_spacing_and_number_format() -> None:
    detector = detector_with_original()
    variant = BODY.upper().replace("1500", "1,500").replace(" ", "  ")
    assert detector.add("exact", variant, "2024-01-06", "Other", None) == "orig"


def test_truncated_copy() -> None:
    detector = detector_with_original()
    truncated = "\n".join(BODY.split("\n")[:4])
    assert detector.add("cut", truncated, "2024-01-06", "Other", None) == "orig"


def test_wrapped_copy() -> None:
    detector = detector_with_original()
    assert detector.add("wrap", JUNK + BODY + FOOTER, "2024-01-06", "Other", None) == "orig"


def test_reworded_copy() -> None:
    detector = detector_with_original()
    reworded = BODY.replace("said", "stated").replace("grain", "wheat").replace("storm", "gale")
    assert detector.add("reword", reworded, "2024-01-06", "Other", None) == "orig"


def test_different_article_is_no_copy() -> None:
    detector = detector_with_original()
    assert detector.add("other", OTHER, "2024-01-06", "Other", None) is None
    assert detector.group_of("other") == ["other"]
    assert detector.group_of("orig") == ["orig"]


def test_shared_sentence_is_no_copy() -> None:
    detector = detector_with_original()
    mixed = BODY.split("\n")[0] + "\n" + OTHER
    assert detector.add("mixed", mixed, "2024-01-06", "Other", None) is None


def test_later_copies_keep_the_original() -> None:
    detector = detector_with_original()
    assert detector.add("b", JUNK + BODY, "2024-01-07", "B", None) == "orig"
    assert detector.add("c", BODY + FOOTER, "2024-01-08", "C", None) == "orig"
    assert detector.group_of("c") == ["orig", "b", "c"]
    assert detector.original_of("b") == "orig"


def test_earlier_copy_becomes_the_original() -> None:
    detector = detector_with_original()
    assert detector.add("early", JUNK + BODY, "2024-01-04", "Early", None) is None
    assert detector.original_of("orig") == "early"
    assert detector.add("late", BODY + FOOTER, "2024-01-09", "Late", None) == "early"


def test_origin_agency_own_copy_is_the_original() -> None:
    detector = CopyDetector()
    assert detector.add("site", JUNK + BODY, "2024-01-05", "Harbour Times", "Reuters") is None
    assert detector.add("wire", BODY, "2024-01-05T09:00", "Reuters", "Reuters") is None
    assert detector.original_of("site") == "wire"
    # an earlier date no longer wins against the agency's own copy
    assert detector.add("x", BODY + FOOTER, "2024-01-01", "X", None) == "wire"


def test_adding_twice_changes_nothing() -> None:
    detector = detector_with_original()
    assert detector.add("cut", BODY, "2024-01-06", "Other", None) == "orig"
    assert detector.add("cut", BODY, "2024-01-06", "Other", None) == "orig"
    assert detector.group_of("orig") == ["orig", "cut"]


def test_containment_of_a_prefix_is_near_one() -> None:
    from dateline.stories.copies import _Vocabulary

    vocab = _Vocabulary()
    full = shingle_hashes(vocab.hashes(words(BODY)))
    part = shingle_hashes(vocab.hashes(words(BODY[: len(BODY) // 2])))
    assert containment(full, part)[0] > 0.98  # only the cut word's shingle is new
