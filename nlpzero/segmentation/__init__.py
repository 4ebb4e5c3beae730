"""Segmentation: a dictionary tokenizer (:mod:`.tokenizer`), a character tagger trained
from a lexicon alone (:mod:`.tagger`), the protocol both implement (:mod:`.base`), and
streaming segmentation of text of any size (:mod:`.streaming`), and a segmenter adapted
to a domain from its raw text (:mod:`.adaptation`)."""
from .base import WordSegmenter
from .tagger import Segmenter, sample_sentences, train_segmenter
from .tokenizer import Tokenizer, as_tokenizer, cache_directory, default_dictionary_path

__all__ = ["Segmenter", "Tokenizer", "WordSegmenter", "adapt_segmenter", "as_tokenizer",
           "cache_directory", "default_dictionary_path", "find_new_words", "sample_sentences",
           "train_segmenter"]


def __getattr__(name: str):
    # The adaptation imports the word finders: loaded when first asked for, so that
    # segmenting does not import them.
    if name in ("adapt_segmenter", "find_new_words"):
        from . import adaptation

        return getattr(adaptation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
