"""PMI word vectors: co-occurrence counting (:mod:`.cooccur`), training and the
:class:`WordVectors` queries and files (:mod:`.training`)."""
from .cooccur import Cooccurrence, count_cooccurrences, count_cooccurrences_files
from .training import (TrainingDiverged, WordVectors, default_whiten_size, learn_vectors,
                       train_vectors, whiten)

__all__ = ["Cooccurrence", "TrainingDiverged", "WordVectors", "count_cooccurrences",
           "count_cooccurrences_files", "default_whiten_size", "learn_vectors", "train_vectors",
           "whiten"]
