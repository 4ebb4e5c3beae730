"""nlpzero: unsupervised Chinese NLP from raw text.

Learn a lexicon from raw text (:func:`find_words`), segment with it or any dictionary
(:class:`Tokenizer`) or a character tagger trained from a lexicon alone
(:class:`Segmenter`), count character n-grams (:class:`NgramCounter`), score
segmentations (:func:`score`), mine sentence templates (:class:`TemplateFinder`) and
parse with them (:class:`Parser`), and learn PMI word vectors (:func:`learn_vectors`,
:class:`WordVectors`).
"""

__version__ = "0.1.0"

from ._numba_cache import configure as _configure_numba_cache  # noqa: E402

_configure_numba_cache(__version__)  # before any module imports numba

from .errors import DatasetUnavailable, FormatError, InputError, NlpzeroError  # noqa: E402
from .lexicon import Lexicon  # noqa: E402
from .discovery import (CohesionWordFinder, NewWords, NgramCounter, PMIWordFinder,  # noqa: E402
                        find_words)
from .scoring import SegmentationScore, score  # noqa: E402
from .segmentation import (Segmenter, Tokenizer, adapt_segmenter, find_new_words,  # noqa: E402
                           sample_sentences, train_segmenter)
from .templates import Parser, SentTree, TemplateFinder, TemplateSet, find_templates  # noqa: E402
from .vectors import (Cooccurrence, WordVectors, count_cooccurrences, learn_vectors,  # noqa: E402
                      train_vectors)

__all__ = [
    "CohesionWordFinder", "DatasetUnavailable", "FormatError", "InputError", "Lexicon",
    "NgramCounter", "NlpzeroError", "PMIWordFinder", "SegmentationScore", "Segmenter", "Tokenizer",
    "find_words", "find_new_words", "NewWords", "adapt_segmenter", "sample_sentences", "score",
    "train_segmenter",
    "Parser", "SentTree", "TemplateFinder", "TemplateSet", "find_templates",
    "Cooccurrence", "WordVectors", "count_cooccurrences", "learn_vectors", "train_vectors",
]
