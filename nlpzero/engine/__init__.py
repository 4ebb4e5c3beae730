"""The engine of all partitioned work. Lexicon learning and co-occurrence counting run
their steps through its runners (map over partitions and fold); the segmentation of
files reads its byte ranges and runs its workers through it too, with results in input
order (:class:`WorkerPool`) instead of folded. The engine knows nothing of words: it
imports the input layer (corpus) and the errors, never discovery, segmentation,
templates or vectors.

* :mod:`.partitions`: files cut into byte ranges of whole lines, and reading them;
* :mod:`.runners`: one protocol (map a function over partitions, fold the results) run
  serially, in local worker processes or on a Dask cluster;
* :mod:`.spill`: a run's intermediate arrays in files of a local folder;
* :mod:`.processes`: the one module that starts worker processes.
"""
from .partitions import (Partition, is_regular_file, partition_texts, plan_partitions,
                         read_range, split_ranges)
from .processes import WorkerPool, Workers
from .runners import (ENGINES, DaskRunner, ProcessRunner, SerialRunner, local_dask_client,
                      make_runner, partitioned_run, run_step)
from .spill import Spill

__all__ = ["DaskRunner", "ENGINES", "Partition", "ProcessRunner", "SerialRunner", "Spill",
           "WorkerPool", "Workers", "is_regular_file", "local_dask_client", "make_runner",
           "partition_texts", "partitioned_run", "plan_partitions", "read_range", "run_step",
           "split_ranges"]
