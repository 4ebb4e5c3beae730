"""Word discovery from raw text: character n-gram counts (:mod:`.ngrams`), the PMI
and cohesion word finders (:mod:`.finders`), and the cohesion method over partitions of
large files (:mod:`.partitioned`)."""
from .finders import (CohesionWordFinder, PMIWordFinder, backtracked, best_split,
                      count_pieces, default_min_count, default_thresholds, distinct_pieces,
                      find_words, make_finder, remove_redundant)
from .ngrams import NgramCounter, count_windows
from .newwords import NewWord, NewWords, refine_lexicon
from .partitioned import count_uses, learn_lexicon

__all__ = ["CohesionWordFinder", "NewWord", "NewWords", "NgramCounter", "PMIWordFinder",
           "backtracked", "best_split", "count_pieces", "count_uses", "count_windows",
           "default_min_count",
           "default_thresholds", "distinct_pieces", "find_words",
           "learn_lexicon", "make_finder", "refine_lexicon", "remove_redundant"]
