"""Word vectors and their queries, with gensim's ``KeyedVectors`` interface, and the
word2vec text and binary formats (training is :mod:`.training`, as gensim keeps
``KeyedVectors`` apart from ``Word2Vec``).

:class:`WordVectors` holds the result with gensim's ``KeyedVectors`` interface
(``vectors``, ``index_to_key``, ``key_to_index``, ``most_similar``,
``save_word2vec_format``/``load_word2vec_format``) and what the model's vectors are for:
raw inner products (PMI, relatedness), similarity (cosine of the vectors, raw or
whitened, mixed with the cosine of the words' characters), importance from the
squared norm, keywords and analogies (the vectors and the characters, as similarity).
"""

from __future__ import annotations

import os
from typing import Iterable, Sequence

import numpy as np

from .. import defaults
from .._validation import check_int
from ..errors import FormatError, InputError


# ---------------------------------------------------------------------------
# Word vectors


class WordVectors:
    """Word vectors with gensim's ``KeyedVectors`` interface.

    Parameters
    ----------
    words : sequence of str
        The vocabulary, most frequent first (whitening uses the first words).
    vectors : array of shape (len(words), dim)
    counts : array of int, optional
        Word counts, when known.
    whiten_size : int, optional
        Number of most frequent words whose vectors define the whitening. Default
        (None): :func:`default_whiten_size`, the most frequent quarter of the
        vocabulary.
    char_weight : float, default 0.5 (``defaults.CHAR_WEIGHT``)
        Weight of the characters in :meth:`most_similar` and :meth:`similarity`, from
        0 (the vectors only) to 1 (the characters only).

    Attributes
    ----------
    vectors : ndarray of float32
    index_to_key : list of str
    key_to_index : dict of str to int
    losses : list of float
        Training loss per iteration (empty when loaded from a file).

    Examples
    --------
    >>> wv = WordVectors(["中国", "人民"], [[1.0, 0.0], [0.5, 0.5]])
    >>> "中国" in wv, len(wv), wv.vector_size
    (True, 2, 2)
    """

    def __init__(self, words: Sequence[str], vectors, counts=None,
                 whiten_size: int | None = None, char_weight: float = defaults.CHAR_WEIGHT):
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        words = list(words)
        if vectors.ndim != 2 or vectors.shape[0] != len(words):
            raise InputError(f"vectors must have shape ({len(words)}, dim), not {vectors.shape}")
        for w in words:
            if not isinstance(w, str) or not w:
                raise InputError(f"every word must be a non-empty str, not {w!r}")
        self.index_to_key = words
        self.key_to_index = {w: i for i, w in enumerate(words)}
        if len(self.key_to_index) != len(words):
            raise InputError("the words are not distinct")
        self.vectors = vectors
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        self.whiten_size = (default_whiten_size(len(words), vectors.shape[1])
                            if whiten_size is None else check_int("whiten_size", whiten_size, 1))
        self.char_weight = _check_weight(char_weight)
        self.losses: list[float] = []
        self._chars = None
        self._white = None
        self._unit = None

    # -- container ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word) -> bool:
        return word in self.key_to_index

    def __getitem__(self, key):
        if isinstance(key, str):
            return self.vectors[self._index(key)]
        return self.vectors[[self._index(k) for k in key]]

    def __repr__(self) -> str:
        return f"WordVectors({len(self)} words, {self.vector_size} dimensions)"

    @property
    def vector_size(self) -> int:
        """Dimension of the vectors."""
        return self.vectors.shape[1]

    def get_index(self, word: str) -> int:
        """Row of `word` in :attr:`vectors` (KeyError when absent)."""
        return self._index(word)

    def _index(self, word) -> int:
        try:
            return self.key_to_index[word]
        except (KeyError, TypeError):
            raise KeyError(f"word {word!r} not in vocabulary") from None

    # -- derived matrices --------------------------------------------------------
    def whitened(self) -> np.ndarray:
        """Whitened vectors scaled to unit length (see :func:`whiten`), computed once."""
        if self._white is None:
            white = whiten(self.vectors, self.whiten_size)
            self._white = _unit_rows(white).astype(np.float32)
        return self._white

    def unit(self) -> np.ndarray:
        """Raw vectors scaled to unit length."""
        if self._unit is None:
            self._unit = _unit_rows(self.vectors.astype(np.float64)).astype(np.float32)
        return self._unit

    # -- queries -----------------------------------------------------------------
    def most_similar(self, positive=None, negative=None, topn: int = 10,
                     restrict_vocab: int | None = None, whiten: bool = False,
                     char_weight: float | None = None) -> list[tuple[str, float]]:
        """Words most similar (synonyms first): by the cosine of the vectors, mixed with
        the cosine of the words' character bags.

        The score of a word is ``(1 - w) cos(v, q) + w cos(c, r)``: `v` its unit vector
        (raw, or whitened with `whiten`) and `q` the sum of the query words' (positive
        minus negative), `c` its character counts and `r` the sum of the query words'
        unit character counts; `w` is `char_weight`. On the Cilin thesaurus, raw
        vectors with characters at weight 0.5 found synonyms several times as often as
        whitened vectors alone (the earlier default) or skip-gram's cosine, and ranked
        graded pairs better (benchmarks/results/similarity.md). Related words, that
        occur together: :meth:`most_correlative`.

        Parameters
        ----------
        positive, negative : str or list of str
            Words added to / subtracted from the query.
        topn : int, default 10
        restrict_vocab : int, optional
            Search only the first (most frequent) words.
        whiten : bool, default False
            Compare whitened vectors (see :func:`whiten`) instead of raw ones.
        char_weight : float, optional
            Weight of the characters, 0-1 (default: the instance's ``char_weight``).

        Returns
        -------
        list of (str, float)
            Best first; the query words are left out.
        """
        pos, neg = _word_lists(positive, negative)
        if not pos and not neg:
            raise InputError("give at least one word")
        w = self.char_weight if char_weight is None else _check_weight(char_weight)
        space = self.whitened() if whiten else self.unit()
        query = np.zeros(space.shape[1], dtype=np.float64)
        for word in pos:
            query += space[self._index(word)]
        for word in neg:
            query -= space[self._index(word)]
        norm = float(np.linalg.norm(query))
        scores = space @ (query / norm if norm > 0 else query).astype(np.float32)
        if w > 0:
            scores = (1 - w) * scores + w * self.char_cosines(pos, neg)
        return self._top(scores, set(pos) | set(neg), topn, restrict_vocab)

    def char_cosines(self, positive=None, negative=None) -> np.ndarray:
        """Cosine of every word's character counts with the sum of the query words'
        unit character counts (positive minus negative).

        Returns
        -------
        ndarray of float32, shape (len(self),)

        Examples
        --------
        >>> wv = WordVectors(["美丽", "美观", "漂亮"], [[1.0], [1.0], [1.0]])
        >>> wv.char_cosines("美丽").round(2).tolist()
        [1.0, 0.5, 0.0]
        """
        pos, neg = _word_lists(positive, negative)
        index, norms = self._char_index()
        bag: dict[str, float] = {}
        for sign, words in ((1.0, pos), (-1.0, neg)):
            for word in words:
                self._index(word)
                counts = _char_counts(word)
                n = np.sqrt(sum(c * c for c in counts.values()))
                for ch, c in counts.items():
                    bag[ch] = bag.get(ch, 0.0) + sign * c / n
        scores = np.zeros(len(self), dtype=np.float64)
        for ch, c in bag.items():
            if ch in index:
                ids, counts = index[ch]
                scores[ids] += c * counts
        qnorm = np.sqrt(sum(c * c for c in bag.values()))
        return (scores / (norms * qnorm) if qnorm > 0 else scores).astype(np.float32)

    def _char_index(self):
        """Character -> (ids of the words holding it, its count in each), and the
        norm of every word's character counts; built once."""
        if self._chars is None:
            postings: dict[str, tuple[list, list]] = {}
            norms = np.empty(len(self), dtype=np.float64)
            for i, word in enumerate(self.index_to_key):
                counts = _char_counts(word)
                norms[i] = np.sqrt(sum(c * c for c in counts.values()))
                for ch, c in counts.items():
                    ids, cs = postings.setdefault(ch, ([], []))
                    ids.append(i)
                    cs.append(c)
            index = {ch: (np.array(ids, dtype=np.int64), np.array(cs, dtype=np.float64))
                     for ch, (ids, cs) in postings.items()}
            self._chars = (index, norms)
        return self._chars

    def most_correlative(self, positive=None, negative=None, topn: int = 10,
                         restrict_vocab: int | None = None) -> list[tuple[str, float]]:
        """Words with the largest raw inner product (about the PMI) with the sum of
        the `positive` vectors minus the `negative` ones: words that occur with them."""
        pos, neg = _word_lists(positive, negative)
        query = np.zeros(self.vector_size, dtype=np.float32)
        for w in pos:
            query += self[w]
        for w in neg:
            query -= self[w]
        return self._rank(self.vectors, query, set(pos) | set(neg), topn, restrict_vocab)

    def similarity(self, w1: str, w2: str, whiten: bool = False,
                   char_weight: float | None = None) -> float:
        """Score of two words in :meth:`most_similar`: ``(1 - w)`` times the cosine of
        their vectors (whitened with `whiten`) plus ``w`` times the cosine of their
        character counts, `w` the `char_weight` (default: the instance's)."""
        w = self.char_weight if char_weight is None else _check_weight(char_weight)
        space = self.whitened() if whiten else self.unit()
        cos = float(space[self._index(w1)] @ space[self._index(w2)])
        if w == 0:
            return cos
        c1, c2 = _char_counts(w1), _char_counts(w2)
        dot = sum(c * c2.get(ch, 0) for ch, c in c1.items())
        chars = dot / np.sqrt(sum(c * c for c in c1.values()) * sum(c * c for c in c2.values()))
        return (1 - w) * cos + w * float(chars)

    def relatedness(self, w1: str, w2: str) -> float:
        """Raw inner product of two words' vectors (about their PMI)."""
        return float(self[w1] @ self[w2])

    def analogy(self, a: str, b: str, c: str, topn: int = 1, whiten: bool = False,
                char_weight: float | None = None) -> list[tuple[str, float]]:
        """a is to b as c is to ?: ``most_similar(positive=[b, c], negative=[a])``, the
        three words left out.

        The vector part is 3CosAdd, the cosine of a word's unit vector (raw, whitened
        with `whiten`) with ``b - a + c``; the character part is the cosine of its
        character counts with the same sum of the three words' unit character counts,
        so that a word made of c's characters with a's replaced by b's scores high:
        Chinese affixation and reduplication (师 : 老师 :: 虎 : 老虎, 看 : 看看 :: 想 :
        想想) are written in the characters, as English morphology is in the subwords
        fastText composes its vectors of. On CA8's morphological questions this
        answered 0.89 right against 0.015 for the vectors alone (0.024 for skip-gram's),
        semantic ones about as the vectors alone (benchmarks/results/vectors.md); the
        characters do as much for any vectors. With ``char_weight=0``: plain 3CosAdd
        (Mikolov et al. 2013).

        Parameters
        ----------
        a, b, c : str
        topn : int, default 1
        whiten : bool, default False
        char_weight : float, optional
            Weight of the characters, 0-1 (default: the instance's ``char_weight``).

        Returns
        -------
        list of (str, float)
            Best first.
        """
        return self.most_similar(positive=[b, c], negative=[a], topn=topn, whiten=whiten,
                                 char_weight=char_weight)

    def evaluate_word_analogies(self, analogies, restrict_vocab: int = 300000,
                                whiten: bool = False, char_weight: float | None = None):
        """Accuracy on analogy questions, as gensim's method of that name: each
        question ``a b c d`` is right when :meth:`analogy` ``(a, b, c)`` answers d.

        Questions with a word outside the first `restrict_vocab` words are skipped,
        and answers are searched among those words. The questions are answered in
        batches (one matrix product for the vectors of many questions), with the
        scores :meth:`most_similar` gives.

        Parameters
        ----------
        analogies : str, path or iterable of str
            A file, or its lines, in word2vec's analogy format: ``: section`` lines,
            then ``a b c d`` lines (other lines are ignored).
        restrict_vocab : int, default 300000
        whiten : bool, default False
        char_weight : float, optional
            Weight of the characters, 0-1 (default: the instance's ``char_weight``).

        Returns
        -------
        score : float
            Share of the answered questions answered right (0 when none is).
        sections : list of dict
            One per section, ``{"section": name, "correct": [(a, b, c, d), ...],
            "incorrect": [...]}``, then the ``"Total accuracy"`` section of them all.

        Examples
        --------
        >>> wv = WordVectors(["师", "老师", "虎", "老虎", "猫"], [[1.0, 0.0]] * 5)
        >>> score, sections = wv.evaluate_word_analogies([": prefix", "师 老师 虎 老虎"])
        >>> score, sections[-1]["correct"]
        (1.0, [('师', '老师', '虎', '老虎')])
        """
        w = self.char_weight if char_weight is None else _check_weight(char_weight)
        n = min(check_int("restrict_vocab", restrict_vocab, 1), len(self))
        sections = []
        for name, questions in _read_analogies(analogies):
            known = [q for q in questions
                     if all(self.key_to_index.get(x, n) < n for x in q)]
            sections.append((name, known))
        ids = np.array([[self.key_to_index[x] for x in q] for _, qs in sections for q in qs],
                       dtype=np.int64).reshape(-1, 4)
        answers = self._answer_analogies(ids[:, :3], n, whiten, w)
        right = iter((answers == ids[:, 3]).tolist())
        out = []
        for name, questions in sections:
            marks = [next(right) for _ in questions]
            out.append({"section": name,
                        "correct": [q for q, ok in zip(questions, marks) if ok],
                        "incorrect": [q for q, ok in zip(questions, marks) if not ok]})
        total = {"section": "Total accuracy",
                 "correct": [q for s in out for q in s["correct"]],
                 "incorrect": [q for s in out for q in s["incorrect"]]}
        answered = len(total["correct"]) + len(total["incorrect"])
        return (len(total["correct"]) / answered if answered else 0.0), out + [total]

    def _answer_analogies(self, abc: np.ndarray, n: int, whiten: bool, w: float,
                          batch: int = 256) -> np.ndarray:
        """Row of the best answer (b - a + c) to each row ``(a, b, c)`` of `abc`,
        searched among the first `n` words, the three left out; -1 when none is left."""
        space = (self.whitened() if whiten else self.unit())[:n]
        words = self.index_to_key
        answers = np.full(len(abc), -1, dtype=np.int64)
        for start in range(0, len(abc), batch):
            rows = abc[start:start + batch]
            query = (space[rows[:, 1]].astype(np.float64) + space[rows[:, 2]]
                     - space[rows[:, 0]])
            scores = _unit_rows(query).astype(np.float32) @ space.T
            if w > 0:
                scores *= 1 - w
                for k, (a, b, c) in enumerate(rows.tolist()):
                    chars = self.char_cosines([words[b], words[c]], [words[a]])
                    scores[k] += w * chars[:n]
            scores[np.arange(len(rows))[:, None], rows] = -np.inf
            best = scores.argmax(axis=1)
            ok = np.isfinite(scores[np.arange(len(rows)), best])
            answers[start:start + len(rows)] = np.where(ok, best, -1)
        return answers

    def sentence_vector(self, words: Iterable[str], mean: bool = False) -> np.ndarray:
        """Sum (or mean) of the vectors of the known `words`; zeros when none is known."""
        words = _words_of(words)
        known = [self.key_to_index[w] for w in words if w in self.key_to_index]
        if not known:
            return np.zeros(self.vector_size, dtype=np.float32)
        v = self.vectors[known].sum(axis=0)
        return v / len(known) if mean else v

    def keywords(self, words, topn: int | None = None) -> list[tuple[str, float]]:
        """Rank the words of a text by ``<v_w, s>``, s the sum of the vectors of all its
        known tokens (repeats included).

        A word scores high when it is long (rare, see :meth:`importance`) and points
        the way the text does; function words, with short vectors, score low.

        Parameters
        ----------
        words : str or list of str
            The text's words (a str is split on whitespace).
        topn : int, optional
            How many to return (default: all).

        Returns
        -------
        list of (str, float)
            The distinct known word tokens (punctuation and symbols are left out, see
            :func:`nlpzero.vectors.keywords.is_word_token`), best first, ties in order
            of first occurrence.
        """
        from .keywords import check_topn, is_word_token, rank, text_words

        words = text_words(words, "words")
        topn = check_topn(topn)
        known = [self.key_to_index[w] for w in words if w in self.key_to_index]
        if not known:
            return []
        s = self.vectors[known].astype(np.float64).sum(axis=0)
        scores = {w: float(self.vectors[self.key_to_index[w]].astype(np.float64) @ s)
                  for w in dict.fromkeys(words) if w in self.key_to_index and is_word_token(w)}
        return rank(scores, topn)

    def importance(self, word: str) -> float:
        """Squared norm of the word's vector, which grows like -log p(w): function
        words get small values (an IDF-like weight)."""
        v = self[word]
        return float(v @ v)

    def clusters(self, knn: int = 10, **kwargs):
        """Word clusters by the map equation on the graph linking each word to its `knn`
        most similar words: :func:`nlpzero.clusters.cluster_words`."""
        from ..clusters import cluster_words  # clusters builds on vectors, not the reverse

        return cluster_words(self, knn=knn, **kwargs)

    def _rank(self, space, query, exclude, topn, restrict_vocab):
        norm = float(np.linalg.norm(query))
        if space is not self.vectors and norm > 0:
            query = query / norm
        return self._top(space @ query, exclude, topn, restrict_vocab)

    def _top(self, scores, exclude, topn, restrict_vocab):
        topn = check_int("topn", topn, 1)
        n = len(self) if restrict_vocab is None else min(check_int("restrict_vocab",
                                                                   restrict_vocab, 1), len(self))
        scores = scores[:n]
        k = min(topn + len(exclude), n)
        top = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.argsort(-scores[top], kind="stable")]
        out = [(self.index_to_key[i], float(scores[i])) for i in top.tolist()
               if self.index_to_key[i] not in exclude]
        return out[:topn]

    # -- files -------------------------------------------------------------------
    def save_word2vec_format(self, path, binary: bool = False) -> None:
        """Write the vectors in word2vec's format (readable by gensim).

        Text: a ``count dim`` header line, then ``word x1 x2 ...`` lines. Binary: the
        same header, then for each word its UTF-8 bytes, a space, ``dim`` little-endian
        float32 values and a newline. Written atomically.
        """
        from .._io import atomic_write

        for w in self.index_to_key:
            if any(ch.isspace() for ch in w):
                raise InputError(f"word {w!r} holds whitespace: word2vec files cannot store it")
        header = f"{len(self)} {self.vector_size}\n".encode("ascii")
        with atomic_write(path, binary=True) as f:
            f.write(header)
            if binary:
                vec = self.vectors.astype("<f4")
                for w, v in zip(self.index_to_key, vec):
                    f.write(w.encode("utf-8") + b" " + v.tobytes() + b"\n")
            else:
                for start in range(0, len(self), 10000):
                    block = self.vectors[start:start + 10000]
                    lines = [w + " " + " ".join(map(repr, v)) for w, v in
                             zip(self.index_to_key[start:start + 10000], block.tolist())]
                    f.write(("\n".join(lines) + "\n").encode("utf-8"))

    @classmethod
    def load_word2vec_format(cls, path, binary: bool | None = None) -> "WordVectors":
        """Read a word2vec text or binary file (`binary` None: detect which).

        Raises
        ------
        InputError
            When the file cannot be read.
        FormatError
            When it does not follow the format (bad header, truncated, bad numbers).
        """
        name = os.fspath(path)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except IsADirectoryError:
            raise InputError(f"{name} is a directory") from None
        except OSError as exc:
            raise InputError(f"cannot read {name}: {exc.strerror}") from None
        eol = data.find(b"\n")
        try:
            n, dim = (int(x) for x in data[:eol].split())
            if n < 0 or dim < 1 or eol < 0:
                raise ValueError
        except ValueError:
            raise FormatError(f"{name}: not a word2vec file (the first line must be "
                              f"'count dimension')") from None
        body = data[eol + 1:]
        if binary is None:
            binary = _looks_binary(body, dim)
        words, vectors = (_parse_binary if binary else _parse_text)(body, n, dim, name)
        try:
            return cls(words, vectors)
        except InputError as exc:
            raise FormatError(f"{name}: {exc}") from None


def default_whiten_size(n_words: int, dim: int) -> int:
    """Number of most frequent words whose vectors define the whitening by default:
    a quarter of the vocabulary, and at least ``2 * dim`` (all words when fewer).

    A rare word's vector rests on a few co-occurrences and keeps much of its random
    start; whitening by all words lets that noise define the directions it scales
    up. Under Zipf's law the most frequent quarter of a vocabulary cut at
    ``min_count`` are about the words seen ``4 * min_count`` times or more, so the
    rule follows the corpus size. On the benchmark corpus it raised wordsim-297 by
    0.01-0.05 over whitening by all words, analogy accuracy unchanged
    (benchmarks/results/vectors.md).

    Examples
    --------
    >>> default_whiten_size(25000, 128), default_whiten_size(300, 128)
    (6250, 256)
    """
    n_words = check_int("n_words", n_words, 0)
    dim = check_int("dim", dim, 1)
    return max(n_words // 4, min(n_words, 2 * dim), 1)


def whiten(vectors: np.ndarray, k: int) -> np.ndarray:
    """Map every vector to ``(v - mean) L^-T``, where ``mean`` and ``L L^T`` are the mean
    and covariance of the first `k` vectors (those of the most frequent words).

    The first `k` whitened vectors have mean 0 and identity covariance, so a cosine
    between whitened vectors weighs every direction of the PMI space alike instead of
    being dominated by the few directions that frequent words share.

    Parameters
    ----------
    vectors : array of shape (n, dim)
    k : int
        Number of leading vectors that define the whitening.

    Returns
    -------
    ndarray of float64, shape (n, dim)
    """
    E = np.asarray(vectors[:k], dtype=np.float64)
    mean = E.mean(axis=0)
    E = E - mean
    cov = E.T @ E / max(len(E), 1)
    try:
        L = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        # Fewer words than dimensions (or degenerate vectors): a small ridge keeps
        # the factor defined.
        cov += np.eye(len(cov)) * (1e-6 * max(np.trace(cov) / len(cov), 1e-12))
        L = np.linalg.cholesky(cov)
    return np.linalg.solve(L, (np.asarray(vectors, dtype=np.float64) - mean).T).T


def _read_analogies(analogies) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """Sections of an analogy file (or its lines): ``(name, [(a, b, c, d), ...])``;
    questions before the first ``: name`` line fall in a section named ``""``."""
    if isinstance(analogies, (str, os.PathLike)):
        with open(analogies, encoding="utf-8") as f:
            lines = f.read().splitlines()
    else:
        lines = list(analogies)
    sections: list[tuple[str, list]] = []
    for line in lines:
        if line.startswith(":"):
            sections.append((line[1:].strip(), []))
            continue
        fields = line.split()
        if len(fields) == 4:
            if not sections:
                sections.append(("", []))
            sections[-1][1].append(tuple(fields))
    return sections


def _unit_rows(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms > 0, norms, 1.0)


def _check_weight(w) -> float:
    if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 <= w <= 1:
        raise InputError(f"char_weight must be a number from 0 to 1, not {w!r}")
    return float(w)


def _char_counts(word: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ch in word:
        counts[ch] = counts.get(ch, 0) + 1
    return counts


def _word_lists(positive, negative) -> tuple[list[str], list[str]]:
    pos = [positive] if isinstance(positive, str) else list(positive or [])
    neg = [negative] if isinstance(negative, str) else list(negative or [])
    return pos, neg


def _words_of(words) -> list[str]:
    return words.split() if isinstance(words, str) else list(words)


def _looks_binary(body: bytes, dim: int) -> bool:
    """A text file's first record is a line of a word and `dim` numbers."""
    line = body[:body.find(b"\n")] if b"\n" in body else body
    try:
        fields = line.decode("utf-8").split()
        [float(x) for x in fields[1:]]
    except (UnicodeDecodeError, ValueError):
        return True
    return len(fields) != dim + 1


def _parse_text(body: bytes, n: int, dim: int, name: str):
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{name}: invalid UTF-8 at byte {exc.start} of the vectors") from None
    lines = [l for l in text.split("\n") if l.strip()]
    if len(lines) != n:
        raise FormatError(f"{name}: the header promises {n} vectors, the file holds {len(lines)}")
    words = []
    numbers = []
    for k, line in enumerate(lines):
        fields = line.rstrip().split(" ")
        if len(fields) != dim + 1:
            raise FormatError(f"{name}: line {k + 2} has {len(fields) - 1} numbers, not {dim}")
        words.append(fields[0])
        numbers.extend(fields[1:])
    try:
        vectors = np.array(numbers, dtype=np.float32).reshape(n, dim)
    except ValueError:
        raise FormatError(f"{name}: a vector holds something that is not a number") from None
    return words, vectors


def _parse_binary(body: bytes, n: int, dim: int, name: str):
    size = 4 * dim
    words = []
    vectors = np.empty((n, dim), dtype=np.float32)
    pos = 0
    for k in range(n):
        while pos < len(body) and body[pos] in b"\n\r":
            pos += 1
        space = body.find(b" ", pos)
        if space < 0 or space + 1 + size > len(body):
            raise FormatError(f"{name}: truncated at vector {k + 1} of {n}")
        try:
            words.append(body[pos:space].decode("utf-8"))
        except UnicodeDecodeError:
            raise FormatError(f"{name}: word {k + 1} is not valid UTF-8") from None
        vectors[k] = np.frombuffer(body, dtype="<f4", count=dim, offset=space + 1)
        pos = space + 1 + size
    if body[pos:].strip():
        raise FormatError(f"{name}: data after the {n} vectors the header promises")
    return words, vectors
