"""Rewrite the expected JSON of every golden case from what dateline produces now.

Run it (``make golden``) after an intended change of output, then read the diff before
committing: the diff is the review of the change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dateline import process_inputs  # noqa: E402
from dateline.model import Article  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"
# name -> input path relative to the repository root
CASES = {
    "seed": "samples/seed/000_6d99dd1d5e9afdd5.txt",
}


def expected_for(relative_input: str) -> list[dict[str, object]]:
    """The articles for one input, with the provenance made independent of the checkout."""
    articles = []
    for result in process_inputs([str(ROOT / relative_input)]):
        assert isinstance(result, Article), result
        data = result.to_json()
        data["provenance"]["source"] = relative_input
        articles.append(data)
    return articles


def main() -> None:
    for name, relative_input in CASES.items():
        path = GOLDEN / f"{name}.json"
        path.write_text(
            json.dumps(expected_for(relative_input), ensure_ascii=False, indent=2) + "\n"
        )
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
