"""`dateline batch`: the pipeline on Dask, shard by shard, into Parquet with a manifest.

shards.py plans the shards, worker.py processes one, manifest.py records what is done,
second.py runs the cross-shard pass (copies, stories, fused events), run.py drives a run
on a Dask cluster, load.py puts an output into a store, command.py holds the click commands.
"""
