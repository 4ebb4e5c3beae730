"""Scoring a segmentation against a gold one, SIGHAN style.

Words are compared as character spans: a predicted word is correct when a gold word
covers exactly the same characters. Given a lexicon, gold words it lacks are
out-of-vocabulary (OOV) and their recall is reported separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest
from typing import Iterable

from .corpus import read_lines
from .errors import InputError


@dataclass(frozen=True)
class SegmentationScore:
    """Word-level precision, recall and F1, with OOV and in-vocabulary recall."""

    precision: float
    recall: float
    f1: float
    oov_recall: float | None
    iv_recall: float | None
    n_gold: int
    n_pred: int
    n_correct: int
    n_gold_oov: int
    n_lines: int

    def format(self) -> str:
        """A short human-readable report."""
        lines = [f"precision  {self.precision:.4f}",
                 f"recall     {self.recall:.4f}",
                 f"F1         {self.f1:.4f}"]
        if self.oov_recall is not None:
            rate = self.n_gold_oov / max(self.n_gold, 1)
            lines.append(f"OOV recall {self.oov_recall:.4f}  (OOV rate {rate:.4f})")
        if self.iv_recall is not None:
            lines.append(f"IV recall  {self.iv_recall:.4f}")
        lines.append(f"lines {self.n_lines}, gold words {self.n_gold}, "
                     f"predicted {self.n_pred}, correct {self.n_correct}")
        return "\n".join(lines)


def _words(line) -> list[str]:
    if isinstance(line, str):
        return line.split()
    return [w for w in line if w and not w.isspace()]


def _spans(words: list[str]) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for w in words:
        spans.append((pos, pos + len(w)))
        pos += len(w)
    return spans


def score(gold: Iterable, pred: Iterable, lexicon=None) -> SegmentationScore:
    """Score predicted segmentations against gold ones.

    Parameters
    ----------
    gold, pred : iterables of lines
        Each line is a list of words or a string of words separated by spaces.
    lexicon : container of str, optional
        Defines OOV words (gold words not in it).

    Raises
    ------
    InputError
        When the line counts differ or a line's characters differ.
    """
    n_gold = n_pred = n_correct = n_oov = n_oov_ok = n_iv_ok = n_lines = 0
    sentinel = object()
    for number, (g, p) in enumerate(zip_longest(gold, pred, fillvalue=sentinel), 1):
        if g is sentinel or p is sentinel:
            which = "gold" if g is sentinel else "predicted"
            raise InputError(f"the {which} segmentation has fewer lines ({number - 1})")
        gw, pw = _words(g), _words(p)
        gtext, ptext = "".join(gw), "".join(pw)
        if gtext != ptext:
            raise InputError(f"line {number}: the texts differ {_first_difference(gtext, ptext)}")
        gs, ps = _spans(gw), set(_spans(pw))
        n_lines += 1
        n_gold += len(gs)
        n_pred += len(ps)
        for w, span in zip(gw, gs):
            ok = span in ps
            n_correct += ok
            if lexicon is not None:
                if w in lexicon:
                    n_iv_ok += ok
                else:
                    n_oov += 1
                    n_oov_ok += ok
    precision = n_correct / n_pred if n_pred else 0.0
    recall = n_correct / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    oov = iv = None
    if lexicon is not None:
        oov = n_oov_ok / n_oov if n_oov else None
        iv = n_iv_ok / (n_gold - n_oov) if n_gold - n_oov else None
    return SegmentationScore(precision, recall, f1, oov, iv, n_gold, n_pred, n_correct, n_oov, n_lines)


def _first_difference(a: str, b: str) -> str:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"at character {i}: gold {a[i:i + 8]!r} vs predicted {b[i:i + 8]!r}"


def score_files(gold_path, pred_path, lexicon=None, errors: str = "strict") -> SegmentationScore:
    """Score two files of space-separated words, line by line (streamed)."""
    return score(read_lines(gold_path, errors), read_lines(pred_path, errors), lexicon)
