"""The engine of all partitioned work: lexicon learning, co-occurrence counting and the
segmentation of files run through it.

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
