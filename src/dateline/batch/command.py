"""The ``dateline batch`` and ``dateline load`` commands."""

from __future__ import annotations

import click

from dateline.batch.shards import DEFAULT_SPLIT_BYTES, Shard
from dateline.batch.worker import Options, ShardResult
from dateline.errors import Code
from dateline.sources.reader import ReadOptions


def _err(message: str) -> None:
    click.echo(message, err=True)


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, metavar="DIR", help="Output directory.")
@click.option("--scheduler", metavar="URL", help="A running Dask scheduler, tcp://HOST:8786.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes of the local cluster started when no --scheduler is given.",
)
@click.option(
    "--shard-mb",
    type=click.FloatRange(min=0.001),
    default=DEFAULT_SPLIT_BYTES / 2**20,
    show_default=True,
    help="JSONL files larger than this are split into line ranges of about this size.",
)
@click.option(
    "--no-understand", is_flag=True, help="Stop after cleaning: no entities, places, times."
)
@click.option("--published", metavar="DATE", help="Publication date for inputs that give none.")
@click.option("--max-bytes", type=int, help="Largest single document or record (bytes).")
@click.option("--quiet", "-q", is_flag=True, help="No line per shard.")
def batch(
    inputs: tuple[str, ...],
    out_dir: str,
    scheduler: str | None,
    workers: int,
    shard_mb: float,
    no_understand: bool,
    published: str | None,
    max_bytes: int | None,
    quiet: bool,
) -> None:
    """Process INPUTS on Dask, shard by shard, into Parquet partitions under --out.

    Each file or URL is a shard (large JSONL files are split). An interrupted run resumes
    with the shards not done when run again; a rerun with nothing to do changes nothing.
    Copies, stories and fused events are a second pass over all shards.
    """
    from dateline.batch.run import run_batch  # Dask is slow to import: only for this command

    options = Options(
        understand=not no_understand,
        published=published,
        max_doc_bytes=max_bytes or ReadOptions().max_doc_bytes,
    )

    def progress(shard: Shard, result: ShardResult | None, error: str | None) -> None:
        if quiet:
            return
        if result is None:
            _err(f"failed [{Code.SHARD_FAILED.value}] {shard.source}: {error}")
            return
        counts = result.counts
        _err(f"done {shard.source}: {counts['articles']} articles, {counts['rejects']} rejects")

    summary = run_batch(
        list(inputs),
        out_dir,
        options,
        scheduler=scheduler,
        workers=workers,
        split_bytes=max(1, int(shard_mb * 2**20)),
        progress=progress,
    )
    _err(summary.line())


@click.command()
@click.option("--from", "out_dir", required=True, metavar="DIR", help="A `dateline batch` output.")
@click.option(
    "--db",
    "db",
    default="dateline.db",
    show_default=True,
    help="Store: a SQLite path or a postgresql:// URL.",
)
def load(out_dir: str, db: str) -> None:
    """Load a batch output (articles with story ids, rejects) into the store --db.

    Loading the same output twice stores nothing the second time."""
    from dateline import api
    from dateline.batch.load import load as load_output

    with api.open_store(db) as store:
        summary = load_output(out_dir, store)
    counts = summary.to_json()
    _err(
        f"read {counts['read']}, stored {counts['stored']}, duplicate {counts['duplicate']}, "
        f"rejected {counts['rejected']}"
    )
