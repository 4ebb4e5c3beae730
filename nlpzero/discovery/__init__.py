"""Word discovery from raw text: character n-gram counts (:mod:`.ngrams`) and the PMI
and cohesion word finders (:mod:`.finders`)."""
from .finders import (CohesionWordFinder, PMIWordFinder, backtracked, best_split,
                      count_pieces, default_min_count, default_thresholds, distinct_pieces,
                      find_words, make_finder, remove_redundant)
from .ngrams import NgramCounter, count_windows
from .newwords import NewWord, NewWords, find_new_words

__all__ = ["CohesionWordFinder", "NewWord", "NewWords", "find_new_words", "NgramCounter", "PMIWordFinder", "backtracked", "best_split",
           "count_pieces", "count_windows", "default_min_count", "default_thresholds",
           "distinct_pieces", "find_words", "make_finder", "remove_redundant"]
