"""Golden tests: stored real inputs paired with their expected JSON (scripts/regenerate_golden.py)."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("regen", ROOT / "scripts" / "regenerate_golden.py")
assert _spec and _spec.loader
regen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(regen)


@pytest.mark.parametrize("name", sorted(regen.CASES))
def test_output_matches_golden(name: str) -> None:
    expected = json.loads((ROOT / "tests" / "golden" / f"{name}.json").read_text())
    assert regen.expected_for(regen.CASES[name]) == expected


def test_every_golden_file_has_a_case() -> None:
    stored = {p.stem for p in (ROOT / "tests" / "golden").glob("*.json")}
    assert stored == set(regen.CASES)
