"""Segmentation: a dictionary tokenizer (:mod:`.tokenizer`) and a character tagger
trained from a lexicon alone (:mod:`.tagger`)."""
from .tagger import Segmenter, sample_sentences, train_segmenter
from .adaptation import adapt_segmenter
from .tokenizer import Tokenizer, cache_directory, default_dictionary_path

__all__ = ["Segmenter", "adapt_segmenter", "Tokenizer", "cache_directory", "default_dictionary_path",
           "sample_sentences", "train_segmenter"]
