"""The engine of all partitioned work: lexicon learning, co-occurrence counting and the
segmentation of files run through it.

* :mod:`.partitions`: files cut into byte ranges of whole lines, and reading them;
* :mod:`.runners`: one protocol (map a function over partitions, fold the results) run
  serially, in local worker processes or on a Dask cluster, and the partitioned
  lexicon learning built on it.
"""
from .partitions import is_regular_file, read_range, segment_files, split_ranges
from .runners import ENGINES, Partition, learn_lexicon, plan_partitions

__all__ = ["ENGINES", "Partition", "is_regular_file", "learn_lexicon", "plan_partitions",
           "read_range", "segment_files", "split_ranges"]
