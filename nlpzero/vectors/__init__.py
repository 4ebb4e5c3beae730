"""PMI word vectors: co-occurrence counting (:mod:`.cooccur`), training
(:mod:`.training`), and the :class:`WordVectors` queries and word2vec files
(:mod:`.keyed`); keywords by the vectors or by TF-IDF (:mod:`.keywords`)."""
from .cooccur import Cooccurrence, count_cooccurrences, count_cooccurrences_files
from .keywords import TfidfKeywords
from .keyed import WordVectors, default_whiten_size, whiten
from .training import TrainingDiverged, learn_vectors, train_vectors

__all__ = ["Cooccurrence", "TfidfKeywords", "TrainingDiverged", "WordVectors",
           "count_cooccurrences",
           "count_cooccurrences_files", "default_whiten_size", "learn_vectors", "train_vectors",
           "whiten"]
