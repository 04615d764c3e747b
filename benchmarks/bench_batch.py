"""Throughput of `dateline batch` on Dask with 1 and 2 workers against the in-process engine.

All three run in one invocation on the same shards, with every stage (the language model
included), so their ratios share the machine's conditions:

  (a) in process: ``list(api.process_inputs([dump]))``, what ``dateline process`` does
  (b) Dask, a LocalCluster of 1 worker process: ``run_batch`` (shards, then second pass)
  (c) Dask, 2 worker processes: the same

The dump is the 163 Wikinews articles of ../shared/eval/news/wikinews-cc-by, ``--copies``
times over, split into ``--shards`` line ranges. Models load before the clocks start (the
in-process pipeline is warmed, the workers load theirs in the worker plugin), since a long
run pays that once per worker. CPU seconds are counted in the driver and, for Dask, in
the worker processes (psutil), because the two cores are shared with other work.

Per-core efficiency = rate(2 workers) / (2 x rate(1 worker)), from wall time; its CPU form
(articles per CPU second of driver and workers, 2 workers over 1) is what contention on a
shared machine disturbs least.

A second measurement reads the Common Crawl WARC excerpt in ../shared/eval/warc
(CC-MAIN, the only crawl sample there; no CC-NEWS sample exists in it) to count how many
HTML pages become articles, and how many of those are English (only English articles go
through the language model).

    .venv/bin/python benchmarks/bench_batch.py [--copies 2] [--shards 8]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from common import Clock, eval_path, machine, rate, write_results
from distributed import Client

from dateline import api
from dateline.batch import second
from dateline.batch.manifest import Manifest
from dateline.batch.run import Preload, local_cluster, run_batch
from dateline.batch.worker import Options, warm
from dateline.model import Article, RawItem
from dateline.sources.reader import read_inputs

CC_NEWS_ARTICLES_PER_DAY = 370_000  # docs/BENCHMARKS.md: ~1.3 billion articles, 2016-08 to 2026


def _worker_cpu() -> float:
    times = psutil.Process().cpu_times()
    return float(times.user + times.system)


def _cluster_cpu(client: Client) -> float:
    return float(sum(client.run(_worker_cpu).values()))


def in_process(dump: Path) -> dict[str, Any]:
    warm(Options())
    with Clock() as clock:
        results = list(api.process_inputs([str(dump)]))
    articles = sum(isinstance(r, Article) for r in results)
    return {
        "articles": articles,
        "wall_s": round(clock.wall, 2),
        "cpu_s": round(clock.cpu, 2),
        "articles_per_s": round(rate(articles, clock.wall), 2),
        "articles_per_cpu_s": round(rate(articles, clock.cpu), 2),
    }


def on_dask(dump: Path, workers: int, split_bytes: int, out: Path) -> dict[str, Any]:
    with local_cluster(workers) as client:
        client.register_plugin(Preload(Options()), name="dateline-preload")
        load_start = os.getloadavg()[0]
        cpu_before = _cluster_cpu(client)
        with Clock() as clock:
            summary = run_batch([str(dump)], out, client=client, split_bytes=split_bytes)
        worker_cpu = _cluster_cpu(client) - cpu_before
    manifest = Manifest.read(out)
    manifest.data["second_pass"] = None  # time the second pass alone, on the same output
    with Clock() as second_clock:
        second.run_second_pass(manifest)
    articles = summary.rows["articles"]
    cpu = worker_cpu + clock.cpu
    return {
        "workers": workers,
        "shards": summary.shards,
        "articles": articles,
        "wall_s": round(clock.wall, 2),
        "driver_cpu_s": round(clock.cpu, 2),
        "worker_cpu_s": round(worker_cpu, 2),
        "second_pass_s": round(second_clock.wall, 2),
        "articles_per_s": round(rate(articles, clock.wall), 2),
        "articles_per_cpu_s": round(rate(articles, cpu), 2),
        "load_1min_at_start": round(load_start, 2),
    }


def warc_yield() -> dict[str, Any]:
    """HTML pages in a real Common Crawl WARC excerpt, and what becomes of them."""
    path = eval_path("warc", "resiliparse", "warcfile.warc.gz")
    items = list(read_inputs([str(path)]))
    pages = [i for i in items if isinstance(i, RawItem)]
    results = list(api.pipeline(understand=False).run_many(pages))
    articles = [r for r in results if isinstance(r, Article)]
    english = sum(a.language == "en" for a in articles)
    return {
        "file": "warc/resiliparse/warcfile.warc.gz (CC-MAIN-2020-34 excerpt)",
        "html_pages": len(pages),
        "articles": len(articles),
        "english_articles": english,
        "pages_to_articles": round(len(articles) / len(pages), 3) if pages else None,
    }


def sizing(one: dict[str, Any], efficiency: float, efficiency_cpu: float) -> dict[str, Any]:
    """Cores to keep up with a day of CC-NEWS, all of it English (the costly case: other
    languages skip the language model), from the 1-worker rates: per wall second (as
    disturbed as the machine was) and per CPU second (what one core does when it has one)."""
    per_second = CC_NEWS_ARTICLES_PER_DAY / 86_400
    used, used_cpu = min(efficiency, 1.0), min(efficiency_cpu, 1.0)
    return {
        "assumed_articles_per_day": CC_NEWS_ARTICLES_PER_DAY,
        "articles_per_s_needed": round(per_second, 2),
        "per_core_wall_rate": one["articles_per_s"],
        "cores_needed_by_wall_rate": round(per_second / (one["articles_per_s"] * used), 2),
        "per_core_cpu_rate": one["articles_per_cpu_s"],
        "cores_needed_by_cpu_rate": round(per_second / (one["articles_per_cpu_s"] * used_cpu), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=2, help="the Wikinews dump N times over")
    parser.add_argument("--shards", type=int, default=16, help="line-range shards of the dump")
    args = parser.parse_args()
    source = eval_path("news", "wikinews-cc-by", "wikinews_articles.jsonl")
    started = machine()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        dump = Path(tmp) / "dump.jsonl"
        dump.write_bytes(source.read_bytes() * args.copies)
        split_bytes = dump.stat().st_size // args.shards + 1
        runs = {"in_process": in_process(dump)}
        print("in process", runs["in_process"], flush=True)
        for workers in (1, 2):
            out = Path(tmp) / f"out-{workers}"
            runs[f"dask_{workers}"] = on_dask(dump, workers, split_bytes, out)
            print(f"dask {workers}", runs[f"dask_{workers}"], flush=True)
            shutil.rmtree(out)
    one, two, base = runs["dask_1"], runs["dask_2"], runs["in_process"]
    efficiency = two["articles_per_s"] / (2 * one["articles_per_s"])
    efficiency_cpu = two["articles_per_cpu_s"] / one["articles_per_cpu_s"]
    pages = warc_yield()
    data = {
        "machine": started,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "copies": args.copies,
        "runs": runs,
        "ratios": {
            "dask_1_vs_in_process": round(one["articles_per_s"] / base["articles_per_s"], 3),
            "dask_2_vs_in_process": round(two["articles_per_s"] / base["articles_per_s"], 3),
            "per_core_efficiency": round(efficiency, 3),
            "per_core_efficiency_cpu": round(efficiency_cpu, 3),
        },
        "warc_yield": pages,
        "sizing": sizing(one, efficiency, efficiency_cpu),
    }
    path = write_results("batch.json", data)
    print(data["ratios"], data["warc_yield"], data["sizing"], sep="\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
