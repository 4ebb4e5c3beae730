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

#: Where each public name lives. The package imports a module only when one of its names
#: is first used (PEP 562), so that ``python -m nlpzero segment`` does not import (nor
#: load the kernels of) the vectors, the templates or the word finders.
_LOCATIONS = {
    "Lexicon": "lexicon",
    "CohesionWordFinder": "discovery", "NewWords": "discovery", "NgramCounter": "discovery",
    "PMIWordFinder": "discovery", "find_words": "discovery", "refine_lexicon": "discovery",
    "SegmentationScore": "scoring", "score": "scoring",
    "Segmenter": "segmentation", "Tokenizer": "segmentation", "adapt_segmenter": "segmentation",
    "find_new_words": "segmentation", "sample_sentences": "segmentation",
    "train_segmenter": "segmentation",
    "Parser": "templates", "SentTree": "templates", "TemplateFinder": "templates",
    "TemplateSet": "templates", "find_templates": "templates",
    "Cooccurrence": "vectors", "WordVectors": "vectors", "count_cooccurrences": "vectors",
    "learn_vectors": "vectors", "train_vectors": "vectors",
}


def __getattr__(name: str):
    module = _LOCATIONS.get(name)
    if module is None:
        raise AttributeError(f"module 'nlpzero' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__():
    return sorted(set(globals()) | set(_LOCATIONS))


__all__ = [
    "CohesionWordFinder", "DatasetUnavailable", "FormatError", "InputError", "Lexicon",
    "NgramCounter", "NlpzeroError", "PMIWordFinder", "SegmentationScore", "Segmenter", "Tokenizer",
    "find_words", "refine_lexicon", "find_new_words", "NewWords", "adapt_segmenter",
    "sample_sentences", "score",
    "train_segmenter",
    "Parser", "SentTree", "TemplateFinder", "TemplateSet", "find_templates",
    "Cooccurrence", "WordVectors", "count_cooccurrences", "learn_vectors", "train_vectors",
]
