"""Lexicon learning over partitions of a large corpus: serially, in local worker
processes, or on a Dask cluster.

The in-memory word finders keep the whole corpus as character ids. Here the input files
are cut into byte ranges of whole lines (partitions) and every step that reads text
works on one partition at a time and returns small sorted count tables, which the
driver merges:

1. characters: each partition's character counts give the vocabulary and the order-1
   table (and the corpus size, which sets the default minimum count);
2. orders 2..K: each partition counts the windows whose (n-1)-gram prefix and suffix
   were kept (Apriori, as :class:`~nlpzero.discovery.NgramCounter` does); the merged counts
   are pruned at the minimum count and indexed;
3. pieces: each partition is cut outside cohesive n-grams (the cohesion method of
   :class:`~nlpzero.discovery.CohesionWordFinder`) and
   returns its distinct pieces that pass backtracking, with their counts; pieces are
   merged by content, compared exactly.

Every count is a sum over partitions, so the lexicon is the one
:class:`~nlpzero.discovery.CohesionWordFinder` finds on the whole text, whatever the
partitioning, the number of workers or the order in which partitions finish. Memory is
one partition per worker plus the merged tables.

:func:`count_uses` counts, the same way, how often each word of a lexicon is a token of
the files' segmentation with it: the re-estimation of
:func:`~nlpzero.discovery.refine_lexicon` on files, which :func:`learn_lexicon` runs on
the same workers by default.

The partitions, runners and spill are those of :mod:`nlpzero.engine`, which also serve
co-occurrence counting and the segmentation of files.
"""

from __future__ import annotations

import os
from typing import Callable, Iterable, Sequence

import numpy as np

from .._io import temporary_directory
from .._kernels.merges import gather_runs, merge_counts
from .._validation import check_errors, check_workers
from ..corpus import CharVocab, batch_texts
from ..engine.partitions import Partition, partition_texts, plan_partitions
from ..engine.runners import SerialRunner, partitioned_run, run_step
from ..engine.spill import Spill
from ..lexicon import Lexicon
from .finders import (CohesionWordFinder, group_pieces, mark_kept_windows, piece_hashes,
                      piece_strings, backtracked, default_min_count, distinct_pieces)
from .newwords import positive_words, refine_lexicon, unigram_tokenizer, words_in_use
from .ngrams import NgramCounter, window_totals, count_windows

# ---------------------------------------------------------------------------
# Work on one partition (module-level functions: they are sent to workers)


def _partition_ids(part: Partition, errors: str, vocab: CharVocab, grow: bool) -> np.ndarray:
    """The partition as int32 character ids, -1 between runs (as NgramCounter.update)."""
    chunks = []
    for batch in batch_texts(partition_texts(part, errors)):
        chunks.append(np.append(vocab.encode(batch, grow=grow), np.int32(-1)))
    return np.concatenate(chunks) if chunks else np.full(1, -1, np.int32)


def _count_chars(task, shared: dict):
    """Code points of the partition's characters, their counts, and window totals."""
    index, part = task
    vocab = CharVocab()
    ids = _partition_ids(part, shared["errors"], vocab, grow=True)
    counts = np.bincount(ids[ids >= 0], minlength=len(vocab)).astype(np.int64)
    cps = vocab.code_points
    spill = shared["spill"]
    spill.save(index, "ids", ids)
    spill.save(index, "cps", cps)
    return cps, counts, window_totals(ids, shared["order"])


def _global_ids(task, shared: dict) -> np.ndarray:
    """The partition's ids in the merged vocabulary: re-encoded from the text, or
    mapped from the ids of the first step's own vocabulary."""
    index, part = task
    counter, spill = shared["counter"], shared["spill"]
    local = spill.load(index, "ids")
    if local is None:
        return _partition_ids(part, shared["errors"], counter.vocab, grow=False)
    if shared["n"] == 2:
        # Id -1 picks the last entry of the map, -1: boundaries stay boundaries.
        to_global = np.append(counter.vocab.ids_of_code_points(spill.load(index, "cps")),
                              np.int32(-1))
        ids = to_global[local]
        spill.save(index, "ids", ids)
        return ids
    return local


def _positions(ids: np.ndarray, task, shared: dict):
    """Index of the kept (n-1)-gram starting at each position (n = the step's order),
    with the joined gaps and kept-window bits of the orders up to n-1 (marked on the
    way; kept[n-1] is known by then)."""
    index, _ = task
    counter, spill, n = shared["counter"], shared["spill"], shared["n"]
    # The 2-gram step keeps nothing: no window is marked yet, and the positions of the
    # characters come straight from the ids, faster than they would be read back.
    prev = spill.load(index, "positions") if n >= 4 else None
    if prev is None:
        joined = np.zeros(len(ids), dtype=bool)
        kept_bits = np.zeros(len(ids), dtype=np.uint16)
        for m, prev in counter.positions_in(ids, n - 1):
            if m >= 2:
                mark_kept_windows(prev, shared["kept"][m], m, joined, kept_bits)
    else:
        joined, kept_bits = spill.load(index, "joined"), spill.load(index, "kept_bits")
        prev = counter.next_positions(ids, prev, n - 1)[:-1]
        mark_kept_windows(prev, shared["kept"][n - 1], n - 1, joined, kept_bits)
    if n == 2 or n > counter.order:
        # No later step reads them: the 2-gram step's are remade from the ids, and the
        # pieces step is the last.
        return prev, joined, kept_bits
    spill.save(index, "positions", prev)
    spill.save(index, "joined", joined)
    spill.save(index, "kept_bits", kept_bits)
    return prev, joined, kept_bits


def _count_order(task, shared: dict):
    """Sorted keys and counts of the partition's order-n windows whose parts are kept."""
    ids = _global_ids(task, shared)
    prev, _, _ = _positions(ids, task, shared)
    return count_windows(ids, prev, shared["n"], shared["counter"].key_base)


def _cut_pieces(task, shared: dict):
    """The partition's distinct pieces that pass backtracking: their characters
    (concatenated ids), lengths and counts."""
    ids = _global_ids(task, shared)
    _, joined, kept_bits = _positions(ids, task, shared)
    starts, lens, counts = distinct_pieces(ids, joined)
    ok = backtracked(starts, lens, kept_bits, shared["counter"].order)
    return _PieceTables((gather_runs(ids, starts[ok], lens[ok]), lens[ok], counts[ok]))


# ---------------------------------------------------------------------------
# Combining the results of partitions (sums, so the order does not matter)


def _combine_chars(a, b):
    return np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]]), a[2] + b[2]


def _combine_counts(a, b):
    return merge_counts(a[0], a[1], b[0], b[1])


class _PieceTables:
    """Piece tables (concatenated characters, lengths, counts) of several partitions,
    put together and grouped by content once, when :meth:`grouped` is asked for."""

    def __init__(self, table):
        self.tables = [table]

    def combine(self, other: "_PieceTables") -> "_PieceTables":
        self.tables.extend(other.tables)
        return self

    def to_arrays(self) -> tuple:
        """The grouped table, to be handed over between processes."""
        return self.grouped().tables[0]

    @classmethod
    def from_arrays(cls, arrays: tuple) -> "_PieceTables":
        return cls(tuple(arrays))

    def grouped(self) -> "_PieceTables":
        if len(self.tables) > 1:
            chars = np.concatenate([t[0] for t in self.tables])
            lens = np.concatenate([t[1] for t in self.tables])
            weights = np.concatenate([t[2] for t in self.tables])
            starts = np.cumsum(lens) - lens
            reps, counts = group_pieces(chars, starts, lens, piece_hashes(chars, starts, lens),
                                         weights)
            self.tables = [(gather_runs(chars, starts[reps], lens[reps]), lens[reps], counts)]
        return self


#: A little text that exercises every step (words repeat, so every order is kept).
_WARM_UP_TEXT = "我们的祖国是中华人民共和国\n中华人民共和国的首都是北京\n" * 8


def _load_kernels(spill_folder: str) -> None:
    """Load every kernel of the steps in this process (from Numba's cache, or compile
    them), so that the worker processes forked for each step inherit them instead of
    each loading them again. Its files are in a folder inside the run's spill folder,
    which the run removes whatever happens."""
    with temporary_directory(prefix="warm-up-", dir=spill_folder) as folder:
        path = os.path.join(folder, "warm.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(_WARM_UP_TEXT)
        _learn(CohesionWordFinder(min_count=2), plan_partitions(path), SerialRunner(),
               "strict", Spill(folder), lambda step, done, total: None)


# ---------------------------------------------------------------------------
# Uses of a lexicon's words in files (the re-estimation of refine_lexicon)


def _count_uses(task, shared: dict):
    """How often each word of the lexicon is a token of the partition's segmentation."""
    _, part = task
    words = shared["words"]
    return (shared["tokenizer"].count_words(partition_texts(part, shared["errors"]), words),)


def _add_uses(a, b):
    return (a[0] + b[0],)


def count_uses(sources: Iterable[str] | str, words, *, errors: str = "strict",
               workers: int = 1, engine: str = "local", scheduler: str | None = None,
               client=None, part_bytes: int | None = None, spill_dir: str | None = None,
               progress: Callable[[str, int, int], None] | None = None) -> dict:
    """The uses of `words` in files: how often each is a token when the files are
    segmented with them (the unigram tokenizer), counted over partitions by `workers`
    processes or on Dask. The files' counterpart of
    :func:`~nlpzero.discovery.newwords.reestimate_counts`, which
    :func:`~nlpzero.discovery.refine_lexicon` takes as its `uses`.

    Parameters
    ----------
    sources : str or iterable of str
        Files, directories or glob patterns (not standard input).
    words : Lexicon or mapping of str to int
        The words and their counts (those with a positive count are used).
    errors, workers, engine, scheduler, client, part_bytes, spill_dir, progress
        As for :func:`learn_lexicon`.

    Returns
    -------
    dict
        ``{word: tokens}`` for the words used at least once; the positive words as
        they were when none is.
    """
    check_errors(errors)
    check_workers(workers)
    tasks = list(enumerate(plan_partitions(sources, workers, part_bytes)))
    with partitioned_run(engine, workers, scheduler=scheduler, client=client,
                         spill_dir=spill_dir) as (runner, spill):
        return _uses(words, tasks, runner, errors, spill,
                     progress or (lambda step, done, total: None))


def _uses(words, tasks: list, runner, errors: str, spill: Spill, progress) -> dict:
    """:func:`count_uses` with the run's runner and spill (shared with learning)."""
    words = positive_words(words)
    if not words:
        return words
    tokenizer = unigram_tokenizer(words)
    tokenizer.compile()  # once here, not in every worker
    shared = dict(tokenizer=tokenizer, words=list(words), errors=errors, spill=spill)
    total = run_step(runner, tasks, progress, "uses", _count_uses, shared, _add_uses)
    counts = total[0].tolist() if total is not None else [0] * len(words)
    return words_in_use(words, dict(zip(words, counts)))


# ---------------------------------------------------------------------------
# Driver


def learn_lexicon(sources: Iterable[str] | str, *, order: int = 4, min_count: int | None = None,
                  thresholds: Sequence[float] | None = None,
                  backoff_cohesion: float | None = 2.0, backoff_weight: float = 0.02,
                  errors: str = "strict", workers: int = 1, engine: str = "local",
                  scheduler: str | None = None, client=None, part_bytes: int | None = None,
                  spill_dir: str | None = None, refine: bool = True,
                  progress: Callable[[str, int, int], None] | None = None) -> Lexicon:
    """Learn a lexicon from files with the cohesion method, one partition at a time.

    The result equals :func:`~nlpzero.discovery.find_words` on the files' lines with the
    same parameters; memory is one partition per worker plus the count tables, and
    the partitions are counted by `workers` processes, or on a Dask cluster.

    Parameters
    ----------
    sources : str or iterable of str
        Files, directories or glob patterns (not standard input).
    order, min_count, thresholds, backoff_cohesion, backoff_weight
        As for :class:`~nlpzero.discovery.CohesionWordFinder`.
    errors : {"strict", "replace"}
        Handling of bytes that are not UTF-8, as for :func:`~nlpzero.corpus.read_pieces`.
    workers : int
        Local worker processes (engine "local"), or workers of the local cluster started
        when engine is "dask" and no scheduler is given.
    engine : {"local", "dask"}
        Where partitions are counted.
    scheduler : str, optional
        Address of a running Dask scheduler (e.g. ``"tcp://10.0.0.5:8786"``); the
        workers must be able to read the input paths.
    client : distributed.Client, optional
        A Dask client of the caller's (engine "dask"), used instead of connecting to
        `scheduler` or starting a local cluster; it is left open.
    part_bytes : int, optional
        Partition size in bytes (default: see :func:`nlpzero.engine.plan_partitions`).
    spill_dir : str, optional
        Folder for the local engine's intermediate arrays (about 11 bytes per input
        character, removed at the end; default: the system's temporary folder).
    refine : bool, default True
        Keep the words that are words of their own
        (:func:`~nlpzero.discovery.refine_lexicon`), their uses counted over the
        partitions like the n-grams (two more passes over the files); False gives the
        finder's cut as it is.
    progress : callable, optional
        Called as ``progress(step, done, total)`` after each partition of each step.

    Returns
    -------
    Lexicon
    """
    check_errors(errors)
    check_workers(workers)
    finder = CohesionWordFinder(order=order, min_count=min_count, thresholds=thresholds,
                                backoff_cohesion=backoff_cohesion, backoff_weight=backoff_weight)
    parts = plan_partitions(sources, workers, part_bytes)
    with partitioned_run(engine, workers, scheduler=scheduler, client=client,
                         spill_dir=spill_dir, load_kernels=_load_kernels) as (runner, spill):
        progress = progress or (lambda step, done, total: None)
        lexicon = _learn(finder, parts, runner, errors, spill, progress)
        if refine and len(lexicon):
            tasks = list(enumerate(parts))
            lexicon = refine_lexicon(lexicon, None, uses=lambda words: _uses(
                words, tasks, runner, errors, spill, progress))
        return lexicon


def _learn(finder: CohesionWordFinder, parts: list[Partition], runner, errors: str,
           spill: Spill, progress) -> Lexicon:
    K = finder.order
    tasks = list(enumerate(parts))
    if not tasks:  # empty files
        return Lexicon.from_valid_counts({})

    def step(name: str, func, shared: dict, combine):
        return run_step(runner, tasks, progress, name, func,
                         dict(shared, errors=errors, spill=spill), combine)

    cps, counts, totals = step("characters", _count_chars, {"order": K}, _combine_chars)
    char_counts = np.zeros(0x110000, dtype=np.int64)
    np.add.at(char_counts, cps, counts)
    cps = np.flatnonzero(char_counts)
    vocab = CharVocab.from_code_points(cps)
    min_count = finder.min_count
    if min_count is None:
        min_count = default_min_count(int(totals[1]))
    counter = NgramCounter.from_counts(vocab, K, min_count, totals, char_counts[cps])
    finder.counter = counter

    kept: dict[int, np.ndarray] = {}
    for n in range(2, K + 1):
        keys, counts = step(f"{n}-grams", _count_order, {"counter": counter, "n": n, "kept": kept},
                            _combine_counts)
        counter.add_order(keys, counts)
        del keys, counts
        kept[n] = finder.kept(n)

    pieces = step("pieces", _cut_pieces, {"counter": counter, "n": K + 1, "kept": kept},
                  _PieceTables.combine)
    [(chars, lens, counts)] = pieces.grouped().tables
    ok = counts >= min_count
    starts = np.cumsum(lens) - lens
    words = piece_strings(counter, chars, starts[ok], lens[ok])
    lexicon = dict(zip(words, counts[ok].tolist()))
    if finder.backoff_cohesion is not None:
        finder.add_backoff_pairs(lexicon)
    return Lexicon.from_valid_counts(lexicon)
