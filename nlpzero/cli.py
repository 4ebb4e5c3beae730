"""The ``nlpzero`` command line.

Subcommands are verbs. Results go to stdout (or ``-o FILE``, written atomically),
progress bars and messages to stderr. A user error is one line on stderr and exit
status 1. Ctrl-C (exit 130), SIGTERM (143, what SLURM, Kubernetes and ``timeout`` send) and
SIGHUP (129) stop the workers, remove the temporary and spill files and leave no partial
output file.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
import time
from typing import Iterator

from . import __version__, defaults
from ._memory import no_huge_pages, reuse_freed_memory
from .errors import InputError, NlpzeroError

logger = logging.getLogger("nlpzero")


# ---------------------------------------------------------------------------
# Helpers


def _progress(iterable, args, desc: str, total=None, unit: str = "it"):
    from ._progress import progress_bar

    return progress_bar(iterable, desc=desc, total=total, unit=unit, unit_scale=True,
                        disable=args.quiet, file=sys.stderr, leave=False, mininterval=0.5)


def _input_size(paths: list[str]) -> int | None:
    """Total bytes of the inputs, for a progress bar; None when stdin is among them."""
    if "-" in paths:
        return None
    return sum(os.path.getsize(p) for p in paths)


def _read_corpus(args, desc: str) -> Iterator[str]:
    """The lines of the CLI's corpus: built-in dataset or files, with a progress bar."""
    from .corpus import expand_sources, read_pieces

    if getattr(args, "dataset", None):
        from .datasets import load

        for name in args.dataset:
            lines = load(name)
            yield from _progress(lines, args, f"{desc} {name}", total=len(lines), unit="line")
        return
    if not args.corpus:
        raise InputError("give at least one corpus file (or - for stdin), or --dataset NAME")
    paths = expand_sources(args.corpus)
    bar = _progress(None, args, desc, total=_input_size(paths), unit="B")
    try:
        for piece in read_pieces(paths, errors=args.encoding_errors):
            bar.update(len(piece.text.encode("utf-8")) + 1)
            yield piece.text
    finally:
        bar.close()


def _info(args, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr)


def _load_tokenizer(args):
    from .segmentation import Tokenizer

    weight = getattr(args, "dict_weight", None)
    if getattr(args, "model", None):
        from .segmentation import Segmenter

        segmenter = Segmenter.load(args.model)
        if weight is not None:
            segmenter.dict_weight = weight
        return segmenter
    if weight is not None:
        raise InputError("--dict-weight applies to a --model only")
    return Tokenizer(args.lexicon) if args.lexicon else Tokenizer()


# ---------------------------------------------------------------------------
# Subcommands


def cmd_lexicon(args) -> int:
    from .discovery import find_words, learn_lexicon

    if args.method == "cohesion":
        params = dict(order=args.order, min_count=args.min_count,
                      thresholds=_thresholds(args.thresholds, args.order),
                      backoff_cohesion=None if args.no_backoff else 2.0)
    else:
        params = dict(min_proba=args.min_proba, min_pmi=args.min_pmi)
    start = time.perf_counter()
    if _partitioned(args):
        # The words' uses (refining) are counted over the partitions too, on the workers.
        lexicon = _run_partitioned(args, learn_lexicon, refine=args.refine, **params)
    else:
        lines = _read_corpus(args, "reading")  # counted as it is read
        if args.refine:  # refining reads the text again: stdin and datasets are kept for it
            lines = list(lines)
            _info(args, "finding and refining words...")
        lexicon = find_words(lines, args.method, refine=args.refine, **params)
    if not len(lexicon):
        raise InputError("found no words: the input holds no run of Han characters long enough")
    lexicon.save(args.output)
    _info(args, f"{len(lexicon)} words in {time.perf_counter() - start:.1f} s"
                + ("" if args.output == "-" else f"; written to {args.output}"))
    return 0


def _partitioned(args) -> bool:
    """Whether to learn with the partitioned engine: always for the cohesion method on
    files (bounded memory, same lexicon); the in-memory finder for stdin, built-in
    datasets and the pmi method."""
    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, not {args.workers}")
    if args.scheduler and args.engine != "dask":
        raise InputError("--scheduler needs --engine dask")
    wants_engine = args.workers > 1 or args.engine == "dask"
    if args.method != "cohesion" or args.dataset or not args.corpus or "-" in args.corpus:
        if wants_engine:
            raise InputError("--workers and --engine dask need --method cohesion and input files "
                             "(not stdin or --dataset)")
        return False
    return True


def _run_partitioned(args, func, **params):
    """Call a partitioned job `func` on the CLI's files with its engine options, with
    one progress bar per step."""
    bars: dict = {}

    def progress(step: str, done: int, total: int) -> None:
        if step not in bars:
            for bar in bars.values():
                bar.close()
            bars[step] = _progress(None, args, f"counting {step}", total=total, unit="part")
        bars[step].update(done - bars[step].n)
        _check_stop()

    try:
        with contextlib.ExitStack() as stack:
            client = None
            if args.engine == "dask" and args.scheduler is None:
                from .engine import local_dask_client

                client = stack.enter_context(local_dask_client(args.workers))
            return func(args.corpus, errors=args.encoding_errors, workers=args.workers,
                        engine=args.engine, scheduler=args.scheduler, client=client,
                        spill_dir=args.spill_dir, progress=progress, **params)
    finally:
        for bar in bars.values():
            bar.close()


def _thresholds(text: str | None, order: int) -> list[float] | None:
    if text is None:
        return None
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError:
        raise InputError(f"--thresholds takes numbers separated by commas, not {text!r}") from None
    if len(values) != order - 1:
        raise InputError(f"--thresholds needs {order - 1} values, one per order 2..{order}")
    return values


def cmd_segment(args) -> int:
    from ._io import atomic_write
    from .corpus import expand_sources, read_pieces
    from .engine import is_regular_file
    from .segmentation.streaming import segment_stream

    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, not {args.workers}")
    tokenizer = _load_tokenizer(args)
    tokenizer.compile()  # before the clock of the progress bar starts
    sources = expand_sources(args.input or ["-"])
    if args.workers > 1 and all(map(is_regular_file, sources)):
        return _segment_files_in_workers(args, tokenizer, sources)
    pieces = _progress(read_pieces(sources, errors=args.encoding_errors), args, "segmenting",
                       unit="line")
    outputs = segment_stream(tokenizer, pieces, args.workers)
    try:
        with atomic_write(args.output) as out:
            for text in outputs:
                out.write(text)
    finally:
        outputs.close()  # on an error, stop the workers now, not when collected
    return 0


def _segment_files_in_workers(args, tokenizer, paths: list[str]) -> int:
    """Each worker reads and segments byte ranges of the files itself; the parent only
    appends the workers' output files in order (no text goes through pipes)."""
    from ._io import atomic_write
    from .segmentation.streaming import segment_files

    folder = None if args.output == "-" else os.path.dirname(os.path.abspath(args.output))
    bar = _progress(None, args, "segmenting", total=_input_size(paths), unit="B")
    try:
        with atomic_write(args.output, binary=True) as out:
            segment_files(tokenizer, paths, out, args.workers, errors=args.encoding_errors,
                          progress=lambda done: (bar.update(done), _check_stop()),
                          temp_dir=folder)
    finally:
        bar.close()
    return 0


def cmd_train_segmenter(args) -> int:
    from ._io import existing_directory_of
    from .lexicon import Lexicon
    from .segmentation import Segmenter, adapt_segmenter

    if args.output != "-":
        existing_directory_of(args.output)  # fail before training, not after
    start = time.perf_counter()
    learn_base = args.lexicon.lower() == "none"
    if learn_base and not args.corpus:
        raise InputError("--lexicon none needs --corpus (the lexicon is learned from it)")
    extra = {} if args.dict_weight is None else {"dict_weight": args.dict_weight}
    if args.corpus:
        lines = list(_read_corpus(args, "reading"))
        segmenter = adapt_segmenter(args.lexicon, lines,
                                    n_samples=args.samples, seed=args.seed, bits=args.bits,
                                    progress=lambda message: _info(args, message), **extra)
        _info(args, f"adapted to {sum(map(len, lines)):,} characters of domain text with "
                    f"{segmenter.info['new_words']:,} new words")
    else:
        bar = _progress(None, args, "training", total=args.samples, unit="sent")
        try:
            segmenter = Segmenter.train(Lexicon.load(args.lexicon), n_samples=args.samples,
                                        seed=args.seed, bits=args.bits,
                                        progress=lambda done: bar.update(done - bar.n), **extra)
        finally:
            bar.close()
    segmenter.save(args.output)
    _info(args, f"trained on {args.samples} pseudo-sentences from {len(segmenter.lexicon)} words "
                f"in {time.perf_counter() - start:.1f} s; written to {args.output}")
    return 0


def cmd_newwords(args) -> int:
    from ._io import atomic_write
    from .segmentation import find_new_words

    lines = list(_read_corpus(args, "reading"))
    words = find_new_words(lines, args.base, min_count=args.min_count, min_gain=args.min_gain,
                           numbers=args.numbers, progress=lambda message: _info(args, message))
    if args.top is not None:
        words = words[:args.top]
    with atomic_write(args.output) as out:
        for line in words.lines(args.scores):
            out.write(line + "\n")
    _info(args, f"{len(words):,} new words")
    return 0


def cmd_score(args) -> int:
    from .lexicon import Lexicon
    from .scoring import score_files

    lexicon = Lexicon.load(args.lexicon) if args.lexicon else None
    result = score_files(args.gold, args.pred, lexicon=lexicon, errors=args.encoding_errors)
    if args.json:
        import dataclasses
        import json

        print(json.dumps(dataclasses.asdict(result), ensure_ascii=False))
    else:
        print(result.format())
    return 0


def cmd_dataset(args) -> int:
    from ._io import atomic_write
    from .datasets import load

    lines = load(args.name)
    with atomic_write(args.output) as out:
        for line in lines:
            out.write(line)
            out.write("\n")
    return 0


def cmd_demo(args) -> int:
    """Learn a lexicon from the People's Daily raw text, show it, segment, score."""
    from .datasets import peoples_daily_gold
    from .discovery import find_words, make_finder
    from .scoring import score
    from .segmentation import Tokenizer

    if args.gold:
        from .corpus import read_pieces

        gold = [piece.text.split() for piece in read_pieces([args.gold])]
        source = os.path.basename(args.gold)
    else:
        gold = peoples_daily_gold()
        source = "the People's Daily (January 1998"
    text = ["".join(words) for words in gold]
    # A first run compiles the kernels: on a few lines, timed apart from learning.
    start = time.perf_counter()
    make_finder(args.method).train(text[:20]).find()
    list(Tokenizer({"中国": 1}).cut_lines(["中国人"]))
    compiled = time.perf_counter() - start
    start = time.perf_counter()
    lexicon = find_words(_progress(text, args, "reading", total=len(text), unit="line"),
                         args.method, refine=args.refine)
    learned = time.perf_counter() - start
    tokenizer = Tokenizer(lexicon)
    start = time.perf_counter()
    pred = list(tokenizer.cut_lines(text))
    segmented = time.perf_counter() - start
    n_chars = sum(map(len, text))
    if compiled >= 1:
        print(f"Compiled the kernels in {compiled:.1f} s (first run only).")
    print(f"Learned {len(lexicon)} words from {source}"
          f"{', ' if args.gold is None else ' ('}{n_chars} characters) in {learned:.1f} s "
          f"with method '{args.method}'{', refined' if args.refine else ''}.")
    print("\nMost frequent words of two or more characters:")
    top = [w for w, _ in lexicon.most_common() if len(w) > 1][:args.top]
    for i in range(0, len(top), 10):
        print("  " + " ".join(top[i:i + 10]))
    print("\nSegmented samples:")
    for i in (3, 100, 1000, 5000, 10000):
        if i < len(pred):
            print("  " + " / ".join(pred[i]))
    print(f"\nSegmented the whole text in {segmented:.2f} s "
          f"({n_chars / max(segmented, 1e-9) / 1e6:.1f} M chars/s).")
    print("Against the gold segmentation" + (":" if args.gold else " (PKU standard):"))
    print(score(gold, pred, lexicon=lexicon).format())
    return 0


def cmd_templates(args) -> int:
    from .templates import TemplateFinder

    start = time.perf_counter()
    finder = TemplateFinder(_load_tokenizer(args), window=args.window,
                            min_proba=args.min_proba, min_pmi=args.min_pmi,
                            max_paths=args.max_paths)
    finder.train(_read_corpus(args, "reading"))
    _info(args, "finding templates...")
    templates = finder.find()
    if not len(templates):
        raise InputError("found no templates: the input holds no words")
    templates.save(args.output)
    n_trivial = len(templates) - len(templates.nontrivial())
    _info(args, f"{len(templates)} templates ({n_trivial} trivial) in "
                f"{time.perf_counter() - start:.1f} s"
                + ("" if args.output == "-" else f"; written to {args.output}"))
    return 0


def cmd_parse(args) -> int:
    from ._io import atomic_write
    from .corpus import read_pieces
    from .templates import Parser, TemplateSet

    templates = TemplateSet.load(args.templates)
    parser = Parser(templates, _load_tokenizer(args), null_score=args.null_score,
                    trivial=args.trivial)
    parser.parse("")  # load the tokenizer before the progress bar starts
    pieces = read_pieces(args.input or ["-"], errors=args.encoding_errors)
    with atomic_write(args.output) as out:
        for piece in _progress(pieces, args, "parsing", unit="line"):
            tree = parser.parse(piece.text)
            if args.json:
                out.write(tree.to_json() + "\n")
            else:
                out.write(tree.render() + "\n\n")
    return 0


def cmd_vectors(args) -> int:
    """Count co-occurrences and train PMI word vectors ("simpler GloVe")."""
    from .vectors import count_cooccurrences, count_cooccurrences_files, train_vectors

    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, not {args.workers}")
    if args.scheduler and args.engine != "dask":
        raise InputError("--scheduler needs --engine dask")
    # Files are counted by partitions (bounded memory, the same matrix); stdin and
    # built-in datasets in memory.
    in_memory = bool(args.dataset) or not args.corpus or "-" in args.corpus
    if in_memory and (args.workers > 1 or args.engine == "dask"):
        raise InputError("--workers and --engine dask need input files (not stdin or --dataset)")
    tokenizer = None if args.pretokenized else _load_tokenizer(args)
    params = dict(window=args.window, min_count=args.min_count, weighting=args.weighting,
                  subsample=args.subsample, seed=args.seed)
    start = time.perf_counter()
    if in_memory:
        lines = _read_corpus(args, "reading")
        sentences = lines if tokenizer is None else tokenizer.cut_lines(lines)
        cooc = count_cooccurrences(sentences, **params)
    else:
        cooc = _run_partitioned(args, count_cooccurrences_files, tokenizer=tokenizer, **params)
    counted = time.perf_counter() - start
    _info(args, f"{len(cooc.words)} words (of {cooc.n_tokens} tokens), {len(cooc)} "
                f"co-occurring pairs in {counted:.1f} s")
    wv = train_vectors(cooc, dim=args.dim, iterations=args.iter, variant=args.variant,
                       x_max=args.x_max, alpha=args.alpha, truncate=not args.no_truncate,
                       learning_rate=args.learning_rate, threads=args.threads, seed=args.seed,
                       smoothing=args.smoothing, adagrad=args.adagrad,
                       unobserved=args.unobserved, negatives=args.negatives,
                       progress=not args.quiet)
    binary = args.binary or args.output.endswith(".bin")
    wv.save_word2vec_format(args.output, binary=binary)
    loss = f", final loss {wv.losses[-1]:.4f}" if wv.losses else ""
    _info(args, f"trained {args.iter} iterations in {time.perf_counter() - start - counted:.1f} s"
                f"{loss}" + ("" if args.output == "-" else f"; written to {args.output}"))
    return 0


def cmd_similar(args) -> int:
    """Print the words nearest to WORD: vectors and characters, or raw inner product."""
    from .vectors import WordVectors

    if args.whiten_size is not None and not args.whiten:
        raise InputError("--whiten-size applies with --whiten only")
    if args.related and (args.whiten or args.char_weight is not None):
        raise InputError("--related ranks by the inner product: no --whiten or --char-weight")
    wv = WordVectors.load_word2vec_format(args.vectors, binary=args.binary or None)
    if args.whiten_size is not None:
        wv = WordVectors(wv.index_to_key, wv.vectors, whiten_size=args.whiten_size)
    if args.word not in wv:
        raise InputError(f"{args.word!r} is not in the vocabulary of {args.vectors}")
    if args.related:
        result = wv.most_correlative(args.word, topn=args.topn)
    else:
        result = wv.most_similar(args.word, topn=args.topn, whiten=args.whiten,
                                 char_weight=args.char_weight)
    for word, score in result:
        print(f"{word}\t{score:.4f}")
    return 0


def cmd_clusters(args) -> int:
    """Modules of a word graph (from vectors) or of any weighted graph by the map equation."""
    from ._io import atomic_write
    from .clusters import cluster_graph, read_edges, write_paths

    if (args.vectors is None) == (args.graph is None):
        raise InputError("give a VECTORS file or --graph EDGES, not both or neither")
    if args.directed and not args.graph:
        raise InputError("--directed applies to --graph")
    start = time.perf_counter()
    options = dict(trials=args.trials, seed=args.seed, hierarchy=args.hierarchy)
    if args.graph:
        result = cluster_graph(read_edges(args.graph), directed=args.directed, **options)
    else:
        from .vectors import WordVectors

        wv = WordVectors.load_word2vec_format(args.vectors)
        result = wv.clusters(knn=args.knn, restrict_vocab=args.restrict_vocab, **options)
    with atomic_write(args.output) as out:
        write_paths(result, out)
    _info(args, f"{result.summary()}\n{len(result)} nodes in {time.perf_counter() - start:.1f} s"
                + ("" if args.output == "-" else f"; written to {args.output}"))
    return 0


def cmd_keywords(args) -> int:
    """Print the keywords of each input line: by the vectors or by TF-IDF."""
    from .vectors.keyed import WordVectors
    from .vectors.keywords import TfidfKeywords

    if args.method == "vectors" and (not args.vectors or args.idf_corpus):
        raise InputError("--method vectors needs --vectors V (and takes no --idf-corpus)")
    if args.method == "tfidf" and args.vectors:
        raise InputError("--vectors applies to --method vectors only")
    tokenizer = None if args.pretokenized else _load_tokenizer(args)

    def words(paths, desc):
        lines = _read_corpus(argparse.Namespace(**dict(vars(args), corpus=paths)), desc)
        return (l.split() for l in lines) if tokenizer is None else tokenizer.cut_lines(lines)

    if args.method == "vectors":
        rank = WordVectors.load_word2vec_format(args.vectors).keywords
        texts = words(args.input or ["-"], "keywords")
    else:
        texts = list(words(args.input or ["-"], "reading"))
        model = TfidfKeywords().fit(words(args.idf_corpus, "document frequencies")
                                    if args.idf_corpus else texts)
        rank = model.keywords
    out = sys.stdout
    for text in texts:
        out.write(" ".join(f"{w}:{sc:.4g}" if args.scores else w
                           for w, sc in rank(text, topn=args.topn)) + "\n")
    return 0


def _add_partition_options(p, scope: str, workers: str, spill: str) -> None:
    """--workers, --engine, --scheduler and --spill-dir of a partitioned job: `scope`
    says when they apply, `workers` what the workers do, `spill` what is spilled."""
    p.add_argument("--workers", type=int, default=1,
                   help=f"{scope}: {workers}, or the size of the local Dask cluster with "
                        "--engine dask")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help=f"{scope}: count on this machine (default) or on Dask")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: a running scheduler (tcp://host:8786); the "
                        "workers must read the same input paths (default: a local cluster)")
    p.add_argument("--spill-dir", metavar="DIR",
                   help=f"folder for the local engine's {spill} (default: the system's "
                        "temporary folder)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}")
    return value


def _add_clusters_parser(sub, common) -> None:
    p = sub.add_parser("clusters", parents=[common], help="cluster words (or a graph) by "
                                                          "the map equation",
                       description="Link every word to its K most similar words (cosine of "
                                   "whitened vectors) and find the modules of that graph "
                                   "that minimise the map equation; or do the same for any "
                                   "graph given as 'u v weight' lines. Writes 'word<TAB>module "
                                   "path' lines (1, 2, ... from the largest module; 1:3 is "
                                   "submodule 3 of module 1), in the input's order; a "
                                   "summary goes to stderr.")
    p.add_argument("vectors", nargs="?", help="word2vec file (text or binary, detected)")
    p.add_argument("--graph", metavar="EDGES", help="cluster this graph instead: 'u v weight' "
                                                    "lines (- for stdin)")
    p.add_argument("--directed", action="store_true", help="--graph's links go from u to v")
    p.add_argument("-o", "--output", default="-", help="file to write (default stdout)")
    p.add_argument("--knn", type=_positive_int, default=10,
                   help="neighbours linked to each word (default 10)")
    p.add_argument("--restrict-vocab", type=_positive_int, default=None, metavar="N",
                   help="cluster only the N most frequent words")
    p.add_argument("--hierarchy", action="store_true",
                   help="modules within modules, where they shorten the code")
    p.add_argument("--trials", type=_positive_int, default=3,
                   help="optimisations, the best kept (default 3)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.set_defaults(func=cmd_clusters)


# ---------------------------------------------------------------------------
# Parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nlpzero",
        description="Unsupervised Chinese NLP from raw text: learn a lexicon, segment, score, "
                    "mine sentence templates and parse with them.")
    parser.add_argument("--version", action="version", version=f"nlpzero {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bars or messages")
    common.add_argument("--encoding-errors", choices=("strict", "replace"), default="strict",
                        help="invalid UTF-8 in the input: stop with an error (default) or "
                             "replace the bad bytes with U+FFFD")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("lexicon", parents=[common], help="learn a lexicon from raw text",
                       description="Learn a lexicon (word count lines) from raw text.")
    p.add_argument("corpus", nargs="*", metavar="CORPUS",
                   help="text files, directories, glob patterns, or - for stdin")
    p.add_argument("--dataset", action="append", metavar="NAME",
                   help="learn from a built-in corpus instead (peoples-daily, reviews, inews; "
                        "repeat to learn from several)")
    p.add_argument("-o", "--output", default="-", help="lexicon file to write (default stdout)")
    p.add_argument("--method", choices=("cohesion", "pmi"), default="cohesion",
                   help="n-gram cohesion with backtracking (default) or adjacent PMI "
                        "with de-redundancy")
    p.add_argument("--order", type=int, default=4, help="cohesion: longest n-gram (default 4)")
    p.add_argument("--min-count", type=int, default=None,
                   help="cohesion: minimum count (default scales with the corpus)")
    p.add_argument("--thresholds", metavar="T2,T3,...",
                   help="cohesion: log cohesion thresholds for orders 2..order "
                        "(default 1,5,7 for order 4)")
    p.add_argument("--no-backoff", action="store_true",
                   help="cohesion: do not add the cohesive pairs found inside longer words")
    p.add_argument("--refine", action=argparse.BooleanOptionalAction, default=True,
                   help="keep the words that are words of their own (the default): counts "
                        "re-estimated by segmenting the text with the lexicon, pairs its other "
                        "words explain (他的) and numeral phrases (一种) removed; reads the text "
                        "twice more. --no-refine: the finder's cut as it is")
    p.add_argument("--min-pmi", type=float, default=1.0, help="pmi: minimum PMI (default 1)")
    p.add_argument("--min-proba", type=float, default=1e-7,
                   help="pmi: minimum probability (default 1e-7)")
    _add_partition_options(p, "cohesion on files", "processes that count in parallel (default 1)",
                           "intermediate files, about 11 bytes per input character")
    p.set_defaults(func=cmd_lexicon)

    p = sub.add_parser("segment", parents=[common], help="segment text into words",
                       description="Segment text, one line in, one line of space-separated "
                                   "words out.")
    p.add_argument("input", nargs="*", metavar="FILE", help="text files or - for stdin (default)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--lexicon", help="lexicon file (default: jieba's dictionary)")
    how.add_argument("--model", help="segmenter model made by train-segmenter (.npz)")
    p.add_argument("--dict-weight", type=float, default=None,
                   help="with --model: weight of its lexicon in the word lattice "
                        "(0 = the tagger alone; default: the model's)")
    p.add_argument("-o", "--output", default="-", help="file to write (default stdout)")
    p.add_argument("--workers", type=int, default=1,
                   help="processes that segment in parallel (default 1); the output keeps "
                        "the input's order")
    p.set_defaults(func=cmd_segment)

    p = sub.add_parser("train-segmenter", parents=[common],
                       help="train a character-tagger segmenter from a lexicon alone",
                       description="Train a B/M/E/S character tagger on pseudo-sentences sampled "
                                   "from a lexicon with counts; write the model (.npz).")
    p.add_argument("--lexicon", required=True,
                   help="lexicon file: word count lines (jieba's dict.txt works); 'none' "
                        "with --corpus learns it from the corpus")
    p.add_argument("--corpus", nargs="+", metavar="CORPUS",
                   help="the domain's raw text (files, directories, globs or -): adapt the "
                        "segmenter to it (new words, the domain's word frequencies)")
    p.add_argument("-o", "--output", required=True, help="model file to write (.npz)")
    p.add_argument("--samples", type=int, default=2_000_000,
                   help="pseudo-sentences to learn from (default 2000000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampler (default 0)")
    p.add_argument("--bits", type=int, default=21,
                   help="log2 of the rows of the hashed weight table (default 21)")
    p.add_argument("--dict-weight", type=float, default=None,
                   help="weight of the lexicon in the word lattice at segmentation time; "
                        "0 = the tagger alone (default 0.2)")
    p.set_defaults(func=cmd_train_segmenter)

    p = sub.add_parser("newwords", parents=[common],
                       help="list the words of a corpus that a base dictionary lacks",
                       description="List the new words of a corpus against a base dictionary, "
                                   "best first, as 'word count' lines (a user dictionary for "
                                   "nlpzero and jieba).")
    p.add_argument("corpus", nargs="*", metavar="CORPUS",
                   help="text files, directories, glob patterns, or - for stdin")
    p.add_argument("--base", default=None, metavar="DICT",
                   help="base dictionary (word count lines; default jieba's dict.txt; 'none' "
                        "for raw text alone)")
    p.add_argument("--top", type=_positive_int, default=None, help="list at most N words")
    p.add_argument("--min-count", type=_positive_int, default=defaults.NEW_WORD_MIN_COUNT,
                   help=f"occurrences a word needs (default {defaults.NEW_WORD_MIN_COUNT})")
    p.add_argument("--min-gain", type=float, default=defaults.NEW_WORD_MIN_GAIN,
                   help="nats per occurrence a word must save against the base's split of it "
                        f"(default {defaults.NEW_WORD_MIN_GAIN:g})")
    p.add_argument("--no-numbers", dest="numbers", action="store_false",
                   help="list words only, no numbers (10, 2008年, 0.5％)")
    p.add_argument("--scores", action="store_true",
                   help="add two columns: times segmented as a word, gain in nats (jieba "
                        "cannot read such a file as a user dictionary; nlpzero can)")
    p.add_argument("-o", "--output", default="-", help="file to write (default stdout)")
    p.set_defaults(func=cmd_newwords)

    p = sub.add_parser("score", parents=[common], help="score a segmentation against a gold one",
                       description="Word precision, recall and F1 by character spans "
                                   "(SIGHAN style), and OOV recall given a lexicon.")
    p.add_argument("gold", help="gold segmentation, words separated by spaces")
    p.add_argument("pred", help="predicted segmentation, same lines")
    p.add_argument("--lexicon", help="lexicon that defines out-of-vocabulary words")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("dataset", parents=[common], help="write a built-in corpus as text",
                       description="Write a built-in corpus, one line per line: peoples-daily "
                                   "(raw), peoples-daily-gold (words separated by spaces), "
                                   "reviews, inews.")
    p.add_argument("name", help="peoples-daily, peoples-daily-gold, reviews or inews")
    p.add_argument("-o", "--output", default="-", help="file to write (default stdout)")
    p.set_defaults(func=cmd_dataset)

    p = sub.add_parser("templates", parents=[common], help="mine sentence templates from text",
                       description="Mine sentence templates (X的X, X是X的X, ...) by skip-gram "
                                   "PMI; write 'template<TAB>count[<TAB>trivial]' lines, most "
                                   "frequent first, X a placeholder.")
    p.add_argument("corpus", nargs="*", metavar="CORPUS",
                   help="text files, directories, glob patterns, or - for stdin")
    p.add_argument("--dataset", action="append", metavar="NAME",
                   help="mine a built-in corpus instead (peoples-daily, reviews, inews; "
                        "repeat to mine several)")
    p.add_argument("--lexicon", help="lexicon to segment with (default: jieba's dictionary)")
    p.add_argument("-o", "--output", default="-", help="template file to write (default stdout)")
    p.add_argument("--window", type=int, default=defaults.TEMPLATE_WINDOW,
                   help="largest distance of a skip-gram pair (default %(default)s)")
    p.add_argument("--min-proba", type=float, default=defaults.TEMPLATE_MIN_PROBA,
                   help="minimum probability of pairs and templates (default %(default)g)")
    p.add_argument("--min-pmi", type=float, default=defaults.TEMPLATE_MIN_PMI,
                   help="minimum PMI of a pair (default %(default)g)")
    p.add_argument("--max-paths", type=int, default=defaults.TEMPLATE_MAX_PATHS,
                   help="at most this many templates from one run of words (default %(default)s)")
    p.set_defaults(func=cmd_templates)

    p = sub.add_parser("parse", parents=[common], help="parse sentences with templates",
                       description="Parse each line into nested templates: an indented tree "
                                   "per line (an empty line after each), or one JSON object "
                                   "per line with --json.")
    p.add_argument("input", nargs="*", metavar="FILE", help="text files or - for stdin (default)")
    p.add_argument("--templates", required=True, help="template file (from nlpzero templates)")
    p.add_argument("--lexicon", help="lexicon to segment with (default: jieba's dictionary)")
    p.add_argument("-o", "--output", default="-", help="file to write (default stdout)")
    p.add_argument("--json", action="store_true", help="one JSON tree per line")
    p.add_argument("--null-score", type=float, default=-20.0,
                   help="score per word boundary of a span no template covers (default -20)")
    p.add_argument("--trivial", action="store_true",
                   help="use the trivial templates X w X too")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("demo", parents=[common],
                       help="learn a lexicon from the People's Daily and show the results")
    p.add_argument("--gold", metavar="FILE",
                   help="learn from this segmented text instead (words separated by spaces; "
                        "scored against it), e.g. data/peoples-daily-gold.txt of a checkout")
    p.add_argument("--method", choices=("cohesion", "pmi"), default="cohesion")
    p.add_argument("--refine", action=argparse.BooleanOptionalAction, default=True,
                   help="keep the words that are words of their own, as `lexicon` does "
                        "(the default); --no-refine shows the finder's cut as it is")
    p.add_argument("--top", type=int, default=40, help="words to show (default 40)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("vectors", parents=[common], help="train word vectors (simpler GloVe)",
                       description="Count word co-occurrences in a symmetric window and fit "
                                   "vectors whose inner product is the words' PMI; write them "
                                   "in word2vec format (text, or binary with --binary or a "
                                   ".bin name).")
    p.add_argument("corpus", nargs="*", metavar="CORPUS",
                   help="text files, directories, glob patterns, or - for stdin")
    p.add_argument("--dataset", action="append", metavar="NAME",
                   help="train on a built-in corpus instead (peoples-daily, reviews, inews; "
                        "repeat to train on several)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--lexicon", help="segment the text with this lexicon "
                                     "(default: jieba's dictionary)")
    g.add_argument("--pretokenized", action="store_true",
                   help="the text is already words separated by spaces")
    p.add_argument("-o", "--output", required=True, help="vector file to write")
    p.add_argument("--binary", action="store_true", help="write word2vec's binary format")
    p.add_argument("--dim", type=_positive_int, default=defaults.DIM,
                   help="dimension (default %(default)s)")
    p.add_argument("--window", type=_positive_int, default=defaults.WINDOW,
                   help="largest distance of co-occurring words (default %(default)s)")
    p.add_argument("--iter", type=_positive_int, default=defaults.ITERATIONS,
                   help="iterations (default %(default)s)")
    p.add_argument("--min-count", type=_positive_int, default=defaults.MIN_COUNT,
                   help="drop rarer words (default %(default)s)")
    p.add_argument("--variant", type=int, choices=(0, 1, 2), default=0,
                   help="0 shared word/context vectors (default), 1 separate and "
                        "concatenated, 2 separate and summed")
    p.add_argument("--weighting", choices=("count", "harmonic"), default="count",
                   help="a co-occurrence counts 1 (default) or 1/distance")
    p.add_argument("--subsample", type=float, default=defaults.SUBSAMPLE,
                   help="drop occurrences of words more frequent than this, word2vec style, "
                        "before windowing (default %(default)g; 0 turns it off)")
    p.add_argument("--smoothing", type=float, default=defaults.SMOOTHING,
                   help="power of the word counts in the PMI's probabilities (default "
                        "%(default)g; 1 is the plain PMI)")
    p.add_argument("--adagrad", choices=("word", "parameter"), default="word",
                   help="one AdaGrad sum per vector (default, faster) or per parameter")
    p.add_argument("--x-max", type=float, default=defaults.X_MAX,
                   help="weighting scale (default %(default)g)")
    p.add_argument("--alpha", type=float, default=defaults.ALPHA,
                   help="weighting power (default %(default)g)")
    p.add_argument("--no-truncate", action="store_true", help="do not cap the weights at 1")
    p.add_argument("--unobserved", type=float, default=defaults.UNOBSERVED,
                   help="weight of each never co-occurring pair in a soft hinge that keeps "
                        "its PMI below a count of 1's (Swivel; default %(default)g; 0 turns "
                        "it off, each iteration then takes about 2/3 of the time)")
    p.add_argument("--negatives", type=float, default=defaults.NEGATIVES,
                   help="unobserved pairs sampled per co-occurring pair and iteration "
                        "(default %(default)g)")
    p.add_argument("--learning-rate", type=float, default=defaults.LEARNING_RATE,
                   help="initial AdaGrad rate (default %(default)g)")
    p.add_argument("--threads", type=_positive_int, default=defaults.THREADS,
                   help="threads (default %(default)s)")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed (a seed gives the same vectors for a given --threads)")
    _add_partition_options(p, "files", "processes that count co-occurrences in parallel "
                                       "(default 1; the counts do not depend on it)",
                           "token ids between its passes (4 bytes per token) and sorted runs "
                           "of pairs (16 bytes per pair of a run)")
    p.set_defaults(func=cmd_vectors)

    p = sub.add_parser("similar", parents=[common], help="words nearest to a word",
                       description="Print the words most similar to WORD (cosine of the "
                                   "vectors mixed with the cosine of the words' characters, "
                                   "which found synonyms best) or, with --related, most "
                                   "related (largest inner product, about the PMI), one "
                                   "'word<TAB>score' line each.")
    p.add_argument("vectors", help="word2vec file (text or binary, detected)")
    p.add_argument("word")
    p.add_argument("--related", action="store_true",
                   help="rank by raw inner product (words that occur together)")
    p.add_argument("--topn", type=_positive_int, default=10, help="words to print (default 10)")
    p.add_argument("--binary", action="store_true", help="the file is binary (default: detect)")
    p.add_argument("--char-weight", type=float, default=None, metavar="W",
                   help=f"weight of the characters, 0-1 (default {defaults.CHAR_WEIGHT}; 0: "
                        "the vectors only)")
    p.add_argument("--whiten", action="store_true",
                   help="compare whitened vectors instead of raw ones")
    p.add_argument("--whiten-size", type=_positive_int, default=None, metavar="K",
                   help="with --whiten: whiten by the K most frequent words (default: the "
                        "most frequent quarter of the vocabulary)")
    p.set_defaults(func=cmd_similar)

    p = sub.add_parser("keywords", parents=[common], help="keywords of each line of a text",
                       description="Print the keywords of each input line (a document per "
                                   "line), best first, separated by spaces, one output line "
                                   "per input line: by the vectors (<v_w, sum of the line's "
                                   "vectors>) or by TF-IDF with document frequencies from "
                                   "--idf-corpus (default: the input's own lines).")
    p.add_argument("input", nargs="*", metavar="FILE", help="text files, or - for stdin "
                                                             "(default)")
    p.add_argument("--vectors", metavar="V", help="word2vec file (--method vectors)")
    p.add_argument("--method", choices=("vectors", "tfidf"), default="vectors",
                   help="rank by the vectors (default) or by TF-IDF")
    p.add_argument("--idf-corpus", nargs="+", metavar="FILE",
                   help="--method tfidf: learn document frequencies from these files' lines")
    p.add_argument("--topn", type=_positive_int, default=5, help="keywords per line (default 5)")
    p.add_argument("--scores", action="store_true", help="print word:score")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--lexicon", help="segment with this lexicon (default: jieba's dictionary)")
    g.add_argument("--pretokenized", action="store_true",
                   help="the text is already words separated by spaces")
    p.set_defaults(func=cmd_keywords)
    _add_clusters_parser(sub, common)
    return parser


#: Commands that run Numba kernels (a first run compiles them).
_COMPILING = {"lexicon", "segment", "train-segmenter", "newwords", "templates", "parse", "demo",
              "vectors"}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    reuse_freed_memory()
    no_huge_pages()
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="nlpzero: %(message)s", stream=sys.stderr)
    try:
        with _stop_signals_raise():
            if args.command in _COMPILING:
                _load_numba(args.quiet)
            return _run(args)
    except KeyboardInterrupt as exc:  # a signal as the run ended, before the handlers' reset
        return _stopped(args, exc)


def run() -> None:
    """The ``nlpzero`` command: :func:`main`, then exit with its status. A stop signal
    that arrives once the work is done and written (while the interpreter shuts down) is
    ignored rather than killing the process with a complete output in place."""
    status = main()
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    sys.exit(status)


def _load_numba(quiet: bool) -> None:
    """Load Numba before any kernel runs (and before workers are forked); say so when
    the kernels will be compiled."""
    from ._numba_start import load_numba_lean

    load_numba_lean()
    if not quiet:
        from ._numba_cache import is_cold

        if is_cold():
            print("nlpzero: compiling kernels (first run only)...", file=sys.stderr)


def _run(args) -> int:
    try:
        return args.func(args)
    except NlpzeroError as exc:
        print(f"nlpzero {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except (OSError, MemoryError) as exc:
        if isinstance(exc, BrokenPipeError):
            # The reader of stdout went away (e.g. `| head`): stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 141
        print(f"nlpzero {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        return _stopped(args, exc)


def _stopped(args, exc: KeyboardInterrupt) -> int:
    """Say that the run was stopped, and return the exit status 128 + the signal."""
    signum = getattr(exc, "signum", signal.SIGINT)
    if signum == signal.SIGINT:
        print(f"nlpzero {args.command}: interrupted", file=sys.stderr)
    else:
        print(f"nlpzero {args.command}: stopped by {signal.Signals(signum).name}",
              file=sys.stderr)
    return 128 + signum


#: Signals that stop a run: Ctrl-C, and SIGTERM and SIGHUP as Ctrl-C.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

#: Python code that native code calls back: Numba's compiled code (to rebuild a constant
#: object, e.g. when it hands arrays back) and LLVM's JIT through llvmlite (to read a
#: cached object file). An exception raised there, or in what it calls, crashes the process.
_COMPILED_CODE_CALLBACKS = (os.path.join("numba", "core", "serialize.py"),
                            os.path.join("llvmlite", "binding", "executionengine.py"))

#: Finalizers: an exception raised in one is not raised but printed ("Exception ignored
#: in: <Finalize object, dead>", with a traceback), multiprocessing's and weakref's.
_FINALIZERS = ((os.path.join("multiprocessing", "util.py"), "__call__"),
               ("weakref.py", "__call__"))

#: Seconds after which a signal that arrived inside such a callback is taken again.
_RETRY_SIGNAL_AFTER = 0.01


class StopSignal(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP, raised where the program is, so that it unwinds as on
    Ctrl-C: every ``finally`` stops workers and removes temporary files."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


#: The stop signal received, if any.
_stopping: list[int] = []


def _raise_stop_signal(signum, frame) -> None:
    if _in_compiled_code_callback(frame) or _in_finalizer(frame):
        # Python's default Ctrl-C handler raises here too, and the process dies of a
        # segmentation fault (in a finalizer, the exception is lost and its traceback
        # printed): the signal is sent again in a moment, when the callback has returned
        # (from a thread, so that this handler does not run again inside).
        threading.Timer(_RETRY_SIGNAL_AFTER, os.kill, (os.getpid(), signum)).start()
        return
    # Once: a second signal must not interrupt the clean-up the first one started.
    for other in STOP_SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    _stopping.append(signum)
    raise StopSignal(signum)


def _in_compiled_code_callback(frame) -> bool:
    while frame is not None:
        if frame.f_code.co_filename.endswith(_COMPILED_CODE_CALLBACKS):
            return True
        frame = frame.f_back
    return False


def _in_finalizer(frame) -> bool:
    while frame is not None:
        code = frame.f_code
        if code.co_name == "__del__" or any(code.co_filename.endswith(path) and code.co_name == name
                                            for path, name in _FINALIZERS):
            return True
        frame = frame.f_back
    return False


def _check_stop() -> None:
    """Raise the stop signal again, in case Python lost its exception (a handler that
    runs inside a finalizer cannot raise): called as the work goes on."""
    if _stopping:
        raise StopSignal(_stopping[0])


@contextlib.contextmanager
def _stop_signals_raise():
    """Turn Ctrl-C, SIGTERM and SIGHUP into :class:`StopSignal` while the block runs (in
    the main thread; the previous handlers come back after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _raise_stop_signal) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        _stopping.clear()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
