"""A batch killed with SIGKILL resumes with the shards not done and ends as a clean run does."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from distributed import Client

from dateline.batch.run import run_batch
from dateline.batch.second import INDEX
from dateline.batch.worker import Options
from dateline.stories.assign import StoryIndex

SPLIT_MB = 0.03  # about 50 shards of a 1.4 MB dump: the kill lands long before the end
Digests = Callable[[Path], dict[str, str]]


def _batch_command(source: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "dateline.cli", "batch", str(source), "--out", str(out),
            "--workers", "1", "--no-understand", "--shard-mb", str(SPLIT_MB), "--quiet"]  # fmt: skip


def _kill_after_first_shard(command: list[str], out: Path) -> None:
    process = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while not any((out / "articles").glob("part-*.parquet")):
            assert process.poll() is None, "the batch ended before its first shard was written"
            assert time.monotonic() < deadline, "no shard written in 120 s"
            time.sleep(0.005)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the driver and the worker it started
        process.wait()


def _without_timestamps(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timestamps(v) for k, v in value.items() if not k.endswith("_at")}
    if isinstance(value, list):
        return [_without_timestamps(v) for v in value]
    return value


def _manifest(out: Path) -> Any:
    return _without_timestamps(json.loads((out / "manifest.json").read_text()))


def test_killed_run_resumes_to_the_clean_result(
    client: Client, tmp_path: Path, wikinews: Path, digests: Digests
) -> None:
    dump = tmp_path / "dump.jsonl"  # the Wikinews records three times over (copies, then)
    dump.write_bytes(wikinews.read_bytes() * 3)
    killed = tmp_path / "killed"
    _kill_after_first_shard(_batch_command(dump, killed), killed)
    statuses = [
        entry["status"] for entry in json.loads((killed / "manifest.json").read_text())["shards"]
    ]
    assert statuses.count("pending") > 25 and len(statuses) > 40

    rerun = subprocess.run(_batch_command(dump, killed), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert "failed 0" in rerun.stderr

    clean = tmp_path / "clean"
    options = Options(understand=False)
    run_batch([str(dump)], clean, options, client=client, split_bytes=int(SPLIT_MB * 2**20))
    assert _manifest(killed)["shards"] == _manifest(clean)["shards"]
    assert _manifest(killed)["second_pass"] == _manifest(clean)["second_pass"]
    # every partition byte for byte, and no temporary file left
    files, clean_files = digests(killed), digests(clean)
    for name in ("manifest.json", INDEX):  # the index pickles sets: their order is per process
        del files[name], clean_files[name]
    assert files == clean_files
    indexes = [StoryIndex.loads((out / INDEX).read_bytes()) for out in (killed, clean)]
    assert indexes[0].clusterer.stories() == indexes[1].clusterer.stories()
