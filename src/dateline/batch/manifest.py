"""The manifest of a batch output directory: each shard's input, status, outputs and counts.

Only the driver writes it, after each shard, under a temporary name renamed into place, so
it is always whole. A shard counts as done when its entry says so, its input is unchanged
(same path, size and mtime) and its partitions exist; a rerun does the other shards only.
A rerun with nothing to do writes nothing: the directory stays byte for byte as it was.
Keys ending in ``_at`` are timestamps, the only content that differs between two runs
that did the same work.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dateline.batch.shards import Shard
from dateline.batch.worker import TABLES, Options, ShardResult
from dateline.errors import Code, DatelineError, Reject

MANIFEST = "manifest.json"
FORMAT = "dateline-batch/1"
SECOND_PASS_DIRS = ("stories", "fused_events")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Manifest:
    def __init__(self, out_dir: Path, data: dict[str, Any]) -> None:
        self.out_dir = out_dir
        self.data = data

    @property
    def path(self) -> Path:
        return self.out_dir / MANIFEST

    @classmethod
    def read(cls, out_dir: str | Path) -> Manifest:
        """The manifest of an existing output, or BATCH_OUTPUT."""
        directory = Path(out_dir)
        try:
            data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DatelineError(
                Code.BATCH_OUTPUT, f"{directory} has no readable {MANIFEST}: {exc}"
            ) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise DatelineError(Code.BATCH_OUTPUT, f"{directory / MANIFEST} is not a {FORMAT}")
        return cls(directory, data)

    @classmethod
    def begin(
        cls,
        out_dir: str | Path,
        inputs: list[str],
        options: Options,
        shards: list[Shard],
        input_rejects: list[Reject],
    ) -> Manifest:
        """The manifest for this plan: entries of unchanged shards carried over, the rest
        pending. Partitions of shards no longer in the plan (a file gone from an input
        directory) are deleted, and so are temporary files a killed run left."""
        directory = Path(out_dir)
        old: dict[str, Any] | None = None
        if (directory / MANIFEST).exists():
            old = cls.read(directory).data
            _check_same_run(old, inputs, options)
        previous = {entry["id"]: entry for entry in (old or {}).get("shards", [])}
        entries = []
        for shard in shards:
            entry = previous.pop(shard.id, None)
            if entry is None or entry["input"] != shard.identity():
                entry = {"id": shard.id, "input": shard.identity(), "status": "pending"}
            entries.append(entry)
        manifest = cls(
            directory,
            {
                "format": FORMAT,
                "inputs": inputs,
                "options": options.to_json(),
                "input_rejects": [r.to_json() for r in input_rejects],
                "shards": entries,
                "second_pass": (old or {}).get("second_pass"),
            },
        )
        for entry in previous.values():
            manifest._delete_outputs(entry)
        manifest._delete_temporary_files()
        if manifest.data != old:
            manifest.save()
        return manifest

    # --- shards -------------------------------------------------------------------------

    def entries(self) -> list[dict[str, Any]]:
        return list(self.data["shards"])

    def entry(self, shard_id: str) -> dict[str, Any]:
        return next(e for e in self.data["shards"] if e["id"] == shard_id)

    def is_done(self, shard: Shard) -> bool:
        entry = self.entry(shard.id)
        return entry["status"] == "done" and all(
            (self.out_dir / relative).exists() for relative in entry["outputs"].values()
        )

    def done(self) -> Iterator[dict[str, Any]]:
        """Entries of done shards, in plan order."""
        return (e for e in self.data["shards"] if e["status"] == "done")

    def record(self, result: ShardResult) -> None:
        entry = self.entry(result.shard_id)
        entry.pop("error", None)
        entry.update(
            status="done",
            outputs=result.outputs,
            counts=result.counts,
            reject_codes=result.reject_codes,
            finished_at=now(),
        )
        self.save()

    def fail(self, shard: Shard, message: str) -> None:
        """A shard whose task raised or whose worker died: recorded with its coded reject."""
        entry = self.entry(shard.id)
        error = Reject.of(shard.source, _position(shard), DatelineError(Code.SHARD_FAILED, message))
        entry.update(status="failed", outputs={}, error=error.to_json(), finished_at=now())
        self.save()

    def rejects(self) -> list[Reject]:
        """Inputs not found and failed shards (the rejects inside shards are in partitions)."""
        found = [Reject(**r) for r in self.data["input_rejects"]]
        failed = [Reject(**e["error"]) for e in self.data["shards"] if e["status"] == "failed"]
        return found + failed

    # --- second pass --------------------------------------------------------------------

    @property
    def second_pass(self) -> dict[str, Any] | None:
        value = self.data.get("second_pass")
        return value if isinstance(value, dict) else None

    def record_second_pass(self, record: dict[str, Any]) -> None:
        self.data["second_pass"] = {**record, "finished_at": now()}
        self.save()

    # --- files --------------------------------------------------------------------------

    def save(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{MANIFEST}.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(self.data, indent=2, ensure_ascii=False) + "\n", "utf-8")
        os.replace(tmp, self.path)

    def _delete_outputs(self, entry: dict[str, Any]) -> None:
        for relative in (entry.get("outputs") or {}).values():
            (self.out_dir / relative).unlink(missing_ok=True)

    def _delete_temporary_files(self) -> None:
        for folder in (*TABLES, *SECOND_PASS_DIRS):
            for leftover in (self.out_dir / folder).glob(".*.tmp-*"):
                leftover.unlink(missing_ok=True)


def _position(shard: Shard) -> str:
    return "" if shard.end is None else f"bytes {shard.start}-{shard.end}"


def _check_same_run(old: dict[str, Any], inputs: list[str], options: Options) -> None:
    if old.get("inputs") != inputs or old.get("options") != options.to_json():
        raise DatelineError(
            Code.BATCH_OPTIONS,
            f"the output was made from inputs {old.get('inputs')} with options "
            f"{old.get('options')}, not {inputs} with {options.to_json()}",
        )
