"""Fixtures shared by the test modules."""

from pathlib import Path

import pytest
from spacy.language import Language

from dateline import Article, process_inputs
from dateline.understand.nlp import load_nlp

SEED = Path(__file__).resolve().parents[1] / "samples" / "seed" / "000_6d99dd1d5e9afdd5.txt"


@pytest.fixture(scope="session")
def seed() -> Article:
    """The seed article through the whole default pipeline, processed once per test run.

    Modules that need the seed in another shape define their own ``seed`` fixture."""
    (article,) = process_inputs([str(SEED)])
    assert isinstance(article, Article)
    return article


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The pipeline `dateline process` runs (knowledge-base rulers included), loaded once."""
    return load_nlp()
