"""Drive a batch run on Dask distributed: plan, submit the shards not done, record, second pass.

The cluster is an existing scheduler (``scheduler="tcp://host:8786"``; its workers must see
the inputs and the output directory at the same paths), or a LocalCluster of worker
processes with one thread each that the run starts and stops itself. The language model is
loaded once per worker process by a worker plugin, before the first shard arrives.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster, as_completed
from distributed.diagnostics.plugin import WorkerPlugin

from dateline.batch import second
from dateline.batch.manifest import Manifest
from dateline.batch.shards import DEFAULT_SPLIT_BYTES, Shard, plan_shards
from dateline.batch.worker import Options, ShardResult, process_shard, warm
from dateline.errors import Code, DatelineError

CONNECT_TIMEOUT = "30s"
Progress = Callable[[Shard, ShardResult | None, str | None], None]  # result, or error text


class Preload(WorkerPlugin):
    """Loads the stages' resources when a worker joins, once per worker process."""

    idempotent = False  # re-registered per run: the options may differ

    def __init__(self, options: Options) -> None:
        self.options = options

    def setup(self, worker: Any) -> None:
        warm(self.options)


@dataclass
class BatchSummary:
    shards: int = 0
    already_done: int = 0
    processed: int = 0
    failed: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # per table, over every done shard
    input_rejects: int = 0
    second_pass: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        rows, sp = self.rows, self.second_pass
        return (
            f"shards {self.shards} (done before {self.already_done}, processed "
            f"{self.processed}, failed {self.failed}), articles {rows.get('articles', 0)}, "
            f"rejected {rows.get('rejects', 0) + self.input_rejects + self.failed}, "
            f"events {rows.get('events', 0)}, stories {sp.get('stories', 0)}, "
            f"copies {sp.get('copies', 0)}, fused events {sp.get('fused_events', 0)}"
        )


def run_batch(
    inputs: list[str],
    out_dir: str | Path,
    options: Options | None = None,
    *,
    client: Client | None = None,
    scheduler: str | None = None,
    workers: int = 1,
    split_bytes: int = DEFAULT_SPLIT_BYTES,
    progress: Progress | None = None,
) -> BatchSummary:
    """Process every shard not done yet, then the second pass; see the module docstring."""
    options = options or Options()
    shards, input_rejects = plan_shards(inputs, split_bytes)
    manifest = Manifest.begin(out_dir, list(inputs), options, shards, input_rejects)
    todo = [s for s in shards if not manifest.is_done(s)]
    summary = BatchSummary(len(shards), len(shards) - len(todo), input_rejects=len(input_rejects))
    if todo:
        with _connect(client, scheduler, workers) as connected:
            _run_shards(connected, todo, manifest, options, summary, progress)
    summary.failed = sum(e["status"] == "failed" for e in manifest.entries())
    for entry in manifest.done():
        for table, count in entry["counts"].items():
            summary.rows[table] = summary.rows.get(table, 0) + count
    summary.second_pass = dict(second.run_second_pass(manifest)["counts"])
    return summary


def _run_shards(
    client: Client,
    todo: list[Shard],
    manifest: Manifest,
    options: Options,
    summary: BatchSummary,
    progress: Progress | None,
) -> None:
    client.register_plugin(Preload(options), name="dateline-preload")
    out = str(manifest.out_dir.resolve())
    biggest_first = sorted(todo, key=lambda s: s.work, reverse=True)
    futures = {
        client.submit(process_shard, shard, out, options, pure=False): shard
        for shard in biggest_first
    }
    for future in as_completed(futures):  # type: ignore[no-untyped-call]
        shard = futures[future]
        if future.status == "finished":
            result: ShardResult = future.result()
            manifest.record(result)
            summary.processed += 1
            if progress:
                progress(shard, result, None)
            continue
        error = _error_text(future)
        manifest.fail(shard, error)
        if progress:
            progress(shard, None, error)


def _error_text(future: Any) -> str:
    try:
        exc = future.exception()
    except Exception as cancelled:  # a cancelled future raises instead of returning
        exc = cancelled
    return f"{type(exc).__name__}: {exc}"


@contextlib.contextmanager
def _connect(client: Client | None, scheduler: str | None, workers: int) -> Iterator[Client]:
    if client is not None:
        yield client
        return
    if scheduler:
        try:
            remote = Client(scheduler, timeout=CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise DatelineError(
                Code.SCHEDULER, f"cannot reach the Dask scheduler at {scheduler}: {exc}"
            ) from exc
        with remote:
            yield remote
        return
    with local_cluster(workers) as local:
        yield local


@contextlib.contextmanager
def local_cluster(workers: int) -> Iterator[Client]:
    """Worker processes with one thread each: the stages hold the GIL, so threads would not
    run them in parallel."""
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client
