"""Default parameters, each in one place: the functions of the API and the command line
take them from here, so that they cannot drift apart.

Word vectors come in two layers. :func:`~nlpzero.vectors.learn_vectors` and
``nlpzero vectors`` train the recommended model: subsampling, count smoothing and the soft
hinge on unobserved pairs gave better vectors than the plain PMI on the evaluation sets
(benchmarks/results/vectors.md, vectors_hinge.md). The lower layers,
:func:`~nlpzero.vectors.count_cooccurrences` and :func:`~nlpzero.vectors.train_vectors`,
default on purpose to the plain model (no subsampling, no smoothing, no hinge, the
``PLAIN_`` values), so that each addition is asked for by name there.
"""

# ---------------------------------------------------------------------------
# Word vectors: shared by both layers

#: Largest distance of co-occurring words.
WINDOW = 10
#: Words rarer than this are dropped before windowing.
MIN_COUNT = 5
#: Dimension of the vectors.
DIM = 128
#: Passes over the co-occurrence entries.
ITERATIONS = 15
#: Threads that train at once.
THREADS = 2
#: Initial AdaGrad rate.
LEARNING_RATE = 0.1
#: Scale and power of the weighting f(x) = min(1, (x / X_MAX)^ALPHA).
X_MAX = 100.0
ALPHA = 0.75
#: Unobserved pairs sampled per co-occurring pair and iteration (with the hinge on).
NEGATIVES = 0.5
#: Weight of the characters in ``WordVectors.most_similar`` / ``similarity`` (and
#: ``nlpzero similar``): the score is ``(1 - w)`` times the cosine of the raw vectors plus
#: ``w`` times the cosine of the words' character counts. Against whitened vectors alone
#: (the earlier default) it raised Cilin synonym retrieval P@1 from 0.016 to 0.310 and
#: wordsim-297 from 0.360 to 0.493 (benchmarks/results/similarity.md).
CHAR_WEIGHT = 0.5

# ---------------------------------------------------------------------------
# Word vectors: the recommended model (learn_vectors, the command line)

#: Occurrences of words more frequent than this are subsampled (word2vec's rule).
SUBSAMPLE = 1e-4
#: Power of the word counts in the PMI's probabilities.
SMOOTHING = 0.75
#: Weight of each never co-occurring pair in the soft hinge (Swivel).
UNOBSERVED = 0.05

# ---------------------------------------------------------------------------
# Word vectors: the plain model (count_cooccurrences, train_vectors)

PLAIN_SUBSAMPLE = 0.0
PLAIN_SMOOTHING = 1.0
PLAIN_UNOBSERVED = 0.0

# ---------------------------------------------------------------------------
# Sentence templates (TemplateFinder, ``nlpzero templates``)

#: Largest distance of a skip-gram pair.
TEMPLATE_WINDOW = 5
#: Minimum probability of pairs and templates.
TEMPLATE_MIN_PROBA = 1e-5
#: Minimum PMI of a pair.
TEMPLATE_MIN_PMI = 2.0
#: At most this many templates from one run of words.
TEMPLATE_MAX_PATHS = 1000

# ---------------------------------------------------------------------------
# Learning a domain (find_new_words, adapt_segmenter, ``nlpzero newwords``,
# ``nlpzero train-segmenter --corpus``)

#: Nats per occurrence a new word must save against the base's split of it.
NEW_WORD_MIN_GAIN = 6.0
#: Occurrences a new word needs in the corpus.
NEW_WORD_MIN_COUNT = 2
#: Segmentations of the corpus, the accepted words joining the lexicon after each.
NEW_WORD_ROUNDS = 2
#: Nats per occurrence a word of a lexicon learned from raw text must save against the
#: rest of that lexicon's split of it to stay in the base (no dictionary at all).
LEARNED_BASE_MIN_GAIN = 3.5
#: Share of the adapted lexicon's mass taken from the domain's own counts.
DOMAIN_WEIGHT = 0.5
