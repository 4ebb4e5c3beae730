"""Parsing with sentence templates: nesting them into a sentence structure.

Parsing (:class:`Parser`): a placeholder matches one or more words, a template word
matches itself. A template that matches a span scores ``log(count / total)`` plus the
best scores of the spans under its placeholders; a span that no template matches
scores ``null_score * (words - 1)``. The best structure is found by dynamic
programming over spans (templates nest but never cross) and returned as a
:class:`SentTree`.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field

import numpy as np

from .._jit import njit, njit_inner
from .._kernels.arrays import new_array
from .._kernels.hashtables import build_index, lookup
from ..errors import InputError
from ..lexicon import Lexicon
from ..segmentation.tokenizer import as_tokenizer
from .format import TemplateSet


# ---------------------------------------------------------------------------
# Kernels: parsing


@njit_inner
def _chain(rec, rec_pos, rec_parent, out):
    """Word positions of a match, first word first, written into `out`; returns
    their number."""
    n = 0
    r = rec
    while r >= 0:
        n += 1
        r = rec_parent[r]
    k = n
    r = rec
    while r >= 0:
        k -= 1
        out[k] = rec_pos[r]
        r = rec_parent[r]
    return n


@njit_inner
def _earlier(rec_a, rec_b, rec_pos, rec_parent, buf_a, buf_b):
    """Whether match a's word positions come before match b's (lexicographically)."""
    na = _chain(rec_a, rec_pos, rec_parent, buf_a)
    nb = _chain(rec_b, rec_pos, rec_parent, buf_b)
    for k in range(nb if nb < na else na):
        if buf_a[k] != buf_b[k]:
            return buf_a[k] < buf_b[k]
    return na < nb


@njit_inner
def _beats(score, words, rec, best_score, best_words, best_rec, rec_pos, rec_parent,
           buf_a, buf_b):
    """Whether a candidate structure beats the current best: a higher score (beyond
    rounding noise); at the same score, more template words; then the words matched
    earlier (the smaller tuple of word positions). Ties are thus broken the same way
    whatever the order in which candidates are met."""
    size = abs(best_score)
    tol = 1e-9 * (size if size > 1.0 else 1.0)
    if score > best_score + tol:
        return True
    if score < best_score - tol or words < best_words:
        return False
    if words > best_words:
        return True
    return _earlier(rec, best_rec, rec_pos, rec_parent, buf_a, buf_b)


@njit(cache=True)
def _parse_kernel(sent, table, edge_child, x_child, node_logp, node_words, W, null_score,
                  where, closed, closed_score, opened, opened_score, rec, best, bnode, brec):
    """Best structure of every span of `sent` (template word ids, -2 for other words).

    Fills ``best[i, j]`` (score of span i..j-1), ``bnode[i, j]`` (terminal trie node
    of the template chosen for the span, -1 when none matches) and ``brec[i, j]`` (the
    record of the last word that template matched); a record ``rec[:, r]`` holds the
    position of a matched word and the record of the word matched before it in the
    same template. Returns the number of records, or -1 when the workspace (`opened`
    or `rec`) was too small: the caller grows it and calls again. The workspace is
    reused from call to call (`where` must be all -1 and is left so), so that a short
    sentence costs no allocation, and no array is replaced inside the loops.

    Spans are solved by start, from the last to the first; from a start i the trie
    is walked word by word. A *closed* state has matched a template prefix exactly up
    to the current position (at most one per trie node: rows ``closed[2 * (p & 1)]``
    for position p); an *open* state has entered a placeholder that began at position
    a. Closing a placeholder [a, p) adds best[a, p], known because a > i or because p
    is behind the walk.
    """
    n = len(sent)
    cap_open = opened.shape[1]
    cap_rec = rec.shape[1]
    n_rec = 0
    buf_a = new_array(n + 1, np.int64)
    buf_b = new_array(n + 1, np.int64)
    for i in range(n + 1):
        for j in range(n + 1):
            best[i, j] = -np.inf
            bnode[i, j] = -1
            brec[i, j] = -1

    for i in range(n - 1, -1, -1):
        cur = 0
        n_c = 1
        closed[0, 0] = 0  # the root
        closed[1, 0] = -1
        closed_score[0, 0] = 0.0
        n_o = 0
        for p in range(i, n + 1):
            cn = 2 * cur  # rows of the closed states at p: node, record
            if p > i:
                # (A) templates that end at p: the best structure of span [i, p).
                bs = -np.inf
                bw = np.int64(-1)  # int64, not literals: one specialisation of _beats
                bn = np.int64(-1)
                br = np.int64(-1)
                # The closed states, then the open ones, in one loop: one call of
                # _beats compiled (inlined) instead of two.
                for k in range(n_c + n_o):
                    if k < n_c:
                        node = closed[cn, k]
                        if not node_logp[node] > -np.inf:
                            continue
                        sc = closed_score[cur, k] + node_logp[node]
                        r = closed[cn + 1, k]
                    else:
                        node = opened[0, k - n_c]
                        a = opened[1, k - n_c]
                        if not (a > i and a < p and node_logp[node] > -np.inf):
                            continue
                        sc = opened_score[k - n_c] + best[a, p] + node_logp[node]
                        r = opened[2, k - n_c]
                    if bn < 0 or _beats(sc, node_words[node], r, bs, bw, br,
                                        rec[0], rec[1], buf_a, buf_b):
                        bs, bw, bn, br = sc, node_words[node], node, r
                if bn < 0:
                    best[i, p] = null_score * (p - i - 1)
                else:
                    best[i, p] = bs
                    bnode[i, p] = bn
                    brec[i, p] = br
            if p == n:
                break
            # (B) placeholders that begin at p.
            for k in range(n_c):
                x = x_child[closed[cn, k]]
                if x >= 0:
                    if n_o == cap_open:
                        return -1
                    opened[0, n_o] = x
                    opened[1, n_o] = p
                    opened[2, n_o] = closed[cn + 1, k]
                    opened_score[n_o] = closed_score[cur, k]
                    n_o += 1
            # (C) the word at p, matched after a word or closing a placeholder; the
            # states at p + 1 go to the other rows.
            nxt = 1 - cur
            dn = 2 * nxt
            w = sent[p]
            n_d = 0
            if w >= 0:
                for k in range(n_c + n_o):
                    if k < n_c:
                        node = closed[cn, k]
                        sc = closed_score[cur, k]
                        parent = closed[cn + 1, k]
                    else:
                        a = opened[1, k - n_c]
                        if a >= p:
                            continue
                        node = opened[0, k - n_c]
                        sc = opened_score[k - n_c] + best[a, p]
                        parent = opened[2, k - n_c]
                    e = lookup(table, node * (W + 1) + w)
                    if e < 0:
                        continue
                    child = edge_child[e]
                    d = where[child]
                    if d < 0:
                        if n_rec == cap_rec:
                            for q in range(n_d):
                                where[closed[dn, q]] = -1
                            return -1
                        rec[0, n_rec] = p
                        rec[1, n_rec] = parent
                        where[child] = n_d
                        closed[dn, n_d] = child
                        closed[dn + 1, n_d] = n_rec
                        closed_score[nxt, n_d] = sc
                        n_rec += 1
                        n_d += 1
                    elif _beats(sc, np.int64(0), parent, closed_score[nxt, d], np.int64(0),
                                rec[1, closed[dn + 1, d]], rec[0], rec[1], buf_a, buf_b):
                        # Same template prefix, placeholders cut elsewhere: keep the
                        # better one (its record is reused).
                        closed_score[nxt, d] = sc
                        rec[1, closed[dn + 1, d]] = parent
            for k in range(n_d):
                where[closed[dn, k]] = -1
            cur = nxt
            n_c = n_d
            if n_c == 0 and n_o == 0:
                # Nothing can match any longer from i: the remaining spans are null.
                for q in range(p + 1, n + 1):
                    best[i, q] = null_score * (q - i - 1)
                break
    return n_rec


# ---------------------------------------------------------------------------
# Parsing


@dataclass
class SentTree:
    """A parsed span: the template that covers it and the sub-spans under its
    placeholders, or (``template`` None) a span that no template covers.

    Attributes
    ----------
    words : list of str
        The words of the span.
    start, end : int
        Word positions of the span in the sentence.
    template : tuple or None
        The template (words and None placeholders), or None.
    children : list of SentTree
        One per placeholder of the template, in order.
    score : float
        Score of the best structure of the span.
    """

    words: list
    start: int
    end: int
    template: tuple | None
    children: list = field(default_factory=list)
    score: float = 0.0

    @property
    def text(self) -> str:
        return "".join(self.words)

    def label(self) -> str:
        """One line: the template with each placeholder's text in parentheses, e.g.
        ``(鸡蛋)可以(吃)吗``; a span without template shows its words separated by
        spaces."""
        if self.template is None:
            return " ".join(self.words)
        out = []
        k = 0
        for t in self.template:
            if t is None:
                out.append("(" + self.children[k].text + ")")
                k += 1
            else:
                out.append(t)
        return "".join(out)

    def render(self, indent: str = "  ") -> str:
        """Indented text tree: the label of each span, the spans under its
        placeholders beneath it, one level deeper."""
        lines: list[str] = []
        self._render(lines, "", indent)
        return "\n".join(lines)

    def _render(self, lines, prefix, indent):
        lines.append(prefix + self.label())
        for c in self.children:
            c._render(lines, prefix + indent, indent)

    def to_dict(self) -> dict:
        """JSON-ready nested dict: text, template (list, null for a placeholder, or
        null), words (for a span without template), start, end, score, children."""
        d = {"text": self.text, "start": self.start, "end": self.end,
             "template": None if self.template is None else list(self.template),
             "score": round(self.score, 6) + 0.0}
        if self.template is None:
            d["words"] = list(self.words)
        else:
            d["children"] = [c.to_dict() for c in self.children]
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def __str__(self) -> str:
        return self.render()


class Parser:
    """Sentence structure from templates: the best nesting of templates over a sentence.

    Parameters
    ----------
    templates : TemplateSet, mapping or str
        Templates with counts, or the path of a template file.
    tokenizer : Tokenizer, Lexicon, mapping, str or None
        Segmenter for :meth:`parse` (None: jieba's dictionary, loaded when first
        needed); :meth:`parse_words` needs none.
    null_score : float
        Score per word boundary of a span that no template covers (default -20).
    trivial : bool
        Use the trivial templates ``X w X`` too (default False: they match nearly
        everything and say nothing about structure).

    Examples
    --------
    >>> p = Parser({(None, "可以", None, "吗"): 5, (None, "的", None): 9})
    >>> print(p.parse_words(["鸡蛋", "可以", "吃", "吗"]).render())
    (鸡蛋)可以(吃)吗
      鸡蛋
      吃
    """

    def __init__(self, templates, tokenizer=None, null_score: float = -20.0,
                 trivial: bool = False):
        if isinstance(templates, (str, os.PathLike)):
            templates = TemplateSet.load(templates)
        elif not isinstance(templates, TemplateSet):
            templates = TemplateSet(templates)
        if not trivial:
            templates = templates.nontrivial()
        if not len(templates):
            raise InputError("no templates to parse with")
        self.templates = templates
        self.tokenizer = as_tokenizer(tokenizer)
        self.null_score = float(null_score)
        self._compile()

    def _compile(self) -> None:
        """Trie of the templates in flat arrays: edges (node, token) in an
        open-addressing table, placeholder children in a direct array."""
        vocab: dict[str, int] = {}
        for t in self.templates:
            for w in t:
                if w is not None:
                    vocab.setdefault(w, len(vocab))
        W = len(vocab)
        total = self.templates.total
        log_total = math.log(total)
        edges: dict[tuple[int, int], int] = {}
        x_child = [-1]
        logp = [-math.inf]
        words = [0]
        template_of = {}
        for t, c in self.templates.items():
            node = 0
            for w in t:
                if w is None:
                    nxt = x_child[node]
                    if nxt < 0:
                        nxt = len(x_child)
                        x_child[node] = nxt
                else:
                    key = (node, vocab[w])
                    nxt = edges.get(key, -1)
                    if nxt < 0:
                        nxt = len(x_child)
                        edges[key] = nxt
                if nxt == len(x_child):
                    x_child.append(-1)
                    logp.append(-math.inf)
                    words.append(words[node] + (w is not None))
                node = nxt
            logp[node] = math.log(c) - log_total
            template_of[node] = t
        keys = np.array([n * (W + 1) + w for n, w in edges], dtype=np.int64)
        self._table = build_index(keys)
        self._edge_child = np.array(list(edges.values()), dtype=np.int64)
        self._x_child = np.array(x_child, dtype=np.int64)
        self._logp = np.array(logp, dtype=np.float64)
        self._node_words = np.array(words, dtype=np.int64)
        self._vocab = vocab
        self._W = W
        self._template_of = template_of
        # Workspace of the kernel, reused by every call: closed states (at most one per
        # trie node at a position; two positions), open states and word records, the
        # last two grown when a sentence needs more.
        n_nodes = len(x_child)
        self._work = (np.full(n_nodes, -1, dtype=np.int64),
                      np.empty((4, n_nodes), dtype=np.int64), np.empty((2, n_nodes)),
                      np.empty((3, 1024), dtype=np.int64), np.empty(1024),
                      np.empty((2, 4096), dtype=np.int64))

    def parse(self, sentence: str) -> SentTree:
        """Segment `sentence` (whitespace dropped) and parse its words."""
        if not isinstance(sentence, str):
            raise TypeError(f"expected a str, not {type(sentence).__name__}")
        if self.tokenizer is None:
            self.tokenizer = as_tokenizer(Lexicon.load_jieba_default())
        return self.parse_words([w for w in self.tokenizer.lcut(sentence) if w.strip()])

    def parse_words(self, words: list[str]) -> SentTree:
        """Best structure of a segmented sentence.

        Returns
        -------
        SentTree
            The root covers all words (an empty list gives an empty span).
        """
        words = list(words)
        if not words:
            return SentTree([], 0, 0, None, [], 0.0)
        get = self._vocab.get
        sent = np.fromiter((get(w, -2) if isinstance(w, str) else _bad_word(w) for w in words),
                           dtype=np.int64, count=len(words))
        n = len(words)
        best = np.empty((n + 1, n + 1))
        bnode = np.empty((n + 1, n + 1), dtype=np.int64)
        brec = np.empty((n + 1, n + 1), dtype=np.int64)
        while True:
            n_rec = _parse_kernel(sent, self._table, self._edge_child, self._x_child,
                                  self._logp, self._node_words, self._W, self.null_score,
                                  *self._work, best, bnode, brec)
            if n_rec >= 0:
                break
            self._grow_workspace()
        rec = self._work[5]
        return self._tree(words, 0, n, best, bnode, brec, rec[0, :n_rec].tolist(),
                          rec[1, :n_rec].tolist())

    def _grow_workspace(self) -> None:
        where, closed, closed_score, opened, opened_score, rec = self._work
        opened = np.concatenate((opened, np.empty_like(opened)), axis=1)
        opened_score = np.concatenate((opened_score, np.empty_like(opened_score)))
        rec = np.concatenate((rec, np.empty_like(rec)), axis=1)
        self._work = (where, closed, closed_score, opened, opened_score, rec)

    def _tree(self, words, i, j, best, bnode, brec, rec_pos, rec_parent) -> SentTree:
        node = int(bnode[i, j])
        if node < 0:
            return SentTree(words[i:j], i, j, None, [], float(best[i, j]))
        positions = []
        r = int(brec[i, j])
        while r >= 0:
            positions.append(rec_pos[r])
            r = rec_parent[r]
        positions.reverse()
        marks = [i - 1] + positions + [j]
        children = [self._tree(words, a + 1, b, best, bnode, brec, rec_pos, rec_parent)
                    for a, b in zip(marks, marks[1:]) if b > a + 1]
        return SentTree(words[i:j], i, j, self._template_of[node], children, float(best[i, j]))


def _bad_word(w):
    raise TypeError(f"words must be str, not {type(w).__name__}")
