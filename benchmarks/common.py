"""What the harnesses share: the evaluation data, machine facts, result files, stage times."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

from trafilatura.meta import reset_caches

from dateline.api import pipeline
from dateline.errors import DatelineError
from dateline.model import Article, RawItem
from dateline.pipeline import Context, Stage, new_article

REPO = Path(__file__).resolve().parents[1]
# The evaluation data sits beside the repository and is read at run time, never copied in.
EVAL = REPO.parent / "shared" / "eval"
RESULTS = REPO / "benchmarks" / "results"


def eval_path(*parts: str) -> Path:
    """A path inside the evaluation data; exits with a message when it is not there."""
    path = EVAL.joinpath(*parts)
    if not path.exists():
        sys.exit(
            f"evaluation data not found: {path}\n"
            f"The benchmarks read ../shared/eval beside the repository ({EVAL})."
        )
    return path


def machine() -> dict[str, Any]:
    """What a reader needs to compare numbers across runs."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
        "trafilatura": version("trafilatura"),
        "spacy": version("spacy"),
        "dateline": version("dateline"),
        "commit": _git_commit(),
        # other processes share the two cores; the load says how much they took
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _git_commit() -> str | None:
    """HEAD, marked dirty when the tree has changes: the numbers belong to that code."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True
        ).stdout
    except OSError:
        return None
    return f"{head}-dirty" if head and status.strip() else head or None


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path


@dataclass
class Clock:
    """Wall and CPU seconds of a ``with`` block.

    CPU time is kept beside wall time because other processes share the two cores: while
    this one waits for a core the wall clock runs on and its CPU clock does not. Time spent
    waiting for the disk shows in wall time only.
    """

    wall: float = 0.0
    cpu: float = 0.0

    def __enter__(self) -> Clock:
        self._start, self._cpu_start = perf_counter(), process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = perf_counter() - self._start
        self.cpu = process_time() - self._cpu_start


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def stage_seconds(
    items: Sequence[RawItem], understand: bool = False, chunk_size: int = 32
) -> dict[str, float]:
    """Seconds per dateline stage, from one extra pass that times each stage alone.

    It runs apart from the timed comparisons (the clock calls cost a little) and says
    where dateline's time goes. Items go in chunks as ``Pipeline.run_many`` sends them,
    so a batch stage is timed on the batches it would see.
    """
    runner = pipeline(understand=understand)
    totals = dict.fromkeys((stage.name for stage in runner.stages), 0.0)
    reset_caches()  # start as cold as the timed passes do
    for first in range(0, len(items), chunk_size):
        live = [new_article(item) for item in items[first : first + chunk_size]]
        for stage in runner.stages:
            start = perf_counter()
            live = _apply_stage(stage, live, runner.ctx)
            totals[stage.name] += perf_counter() - start
    return totals


def _apply_stage(stage: Stage, articles: list[Article], ctx: Context) -> list[Article]:
    if stage.batch:
        return stage.batch_func(articles, ctx)
    kept = []
    for article in articles:
        try:
            kept.append(stage.func(article, ctx))
        except DatelineError:
            continue  # a reject: the later stages never see it
    return kept


def stage_shares(stages: dict[str, float]) -> str:
    total = sum(stages.values())
    shares = ", ".join(f"{name} {100 * s / total:.1f}%" for name, s in stages.items())
    return f"dateline stage shares (separate pass, {total:.2f} s): {shares}"
