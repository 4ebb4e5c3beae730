"""Scoring a word segmentation against a gold one, SIGHAN style.

Words are compared as character spans: on each line a predicted word is correct when
a gold word covers exactly the same characters (same start, same end). Precision is
correct / predicted, recall correct / gold. Given a lexicon, gold words it lacks are
out-of-vocabulary (OOV); the recall of OOV gold words and of in-vocabulary (IV) gold
words is reported separately, as in the SIGHAN bakeoffs' scoring script.
"""

from __future__ import annotations

import codecs
import itertools
import os
import sys
from dataclasses import dataclass
from typing import Container, Iterable, Iterator, Sequence

from ._validation import check_errors
from ._io import open_input
from .errors import InputError


@dataclass(frozen=True)
class SegmentationScore:
    """Result of :func:`score`.

    Attributes
    ----------
    precision, recall, f1 : float
        Word-level scores (0 when undefined, e.g. nothing predicted).
    oov_recall : float or None
        Recall of gold words missing from the lexicon; None without a lexicon or
        when every gold word is in it.
    iv_recall : float or None
        Recall of gold words present in the lexicon; None without a lexicon or when
        no gold word is in it.
    n_gold, n_pred, n_correct : int
        Gold words, predicted words, correctly predicted words.
    n_gold_oov : int
        Gold words missing from the lexicon (0 without a lexicon).
    n_lines : int
        Lines compared.
    """

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
        """A short human-readable report, one figure per line.

        Returns
        -------
        str
            Several lines, without a final newline.
        """
        lines = [f"precision   {self.precision:.4f}",
                 f"recall      {self.recall:.4f}",
                 f"F1          {self.f1:.4f}"]
        if self.oov_recall is not None or self.iv_recall is not None:
            rate = self.n_gold_oov / self.n_gold if self.n_gold else 0.0
            lines.append(f"OOV recall  {_optional(self.oov_recall)}  "
                         f"({self.n_gold_oov} OOV gold words, OOV rate {rate:.4f})")
            lines.append(f"IV recall   {_optional(self.iv_recall)}")
        lines.append(f"{self.n_lines} lines: {self.n_gold} gold words, {self.n_pred} predicted, "
                     f"{self.n_correct} correct")
        return "\n".join(lines)


def _optional(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def score(gold: Iterable[str | Sequence[str]], pred: Iterable[str | Sequence[str]],
          lexicon: Container[str] | None = None) -> SegmentationScore:
    """Score predicted segmentations against gold ones, line by line.

    Parameters
    ----------
    gold, pred : iterables of lines
        The same number of lines. Each line is a list of words, or a string of words
        separated by whitespace. Empty and whitespace-only words are ignored.
    lexicon : container of str, optional
        Anything supporting ``in`` (a :class:`~nlpzero.lexicon.Lexicon`, a set, a
        dict). Gold words not in it are OOV.

    Returns
    -------
    SegmentationScore

    Raises
    ------
    InputError
        When the two have different numbers of lines, or a line's words do not join
        up to the same characters in both (the message names the 1-based line and
        shows where they first differ).

    Examples
    --------
    >>> s = score(["中国 人民 银行"], [["中国", "人", "民", "银行"]])
    >>> s.n_correct, s.n_gold, s.n_pred, round(s.f1, 4)
    (2, 3, 4, 0.5714)
    """
    totals = _Totals(with_lexicon=lexicon is not None)
    missing = object()  # marks the end of the shorter input
    for number, (g, p) in enumerate(itertools.zip_longest(gold, pred, fillvalue=missing), 1):
        if g is missing or p is missing:
            shorter, longer = ("gold", "predicted") if g is missing else ("predicted", "gold")
            raise InputError(f"the {shorter} segmentation has {number - 1} lines but the "
                             f"{longer} one has more")
        totals.add_line(_words_of(g), _words_of(p), lexicon, number)
    return totals.result()


def score_files(gold_path, pred_path, lexicon: Container[str] | None = None,
                errors: str = "strict") -> SegmentationScore:
    """Score two UTF-8 files of whitespace-separated words, line by line.

    The files are streamed, never read whole into memory.

    Parameters
    ----------
    gold_path, pred_path : str or os.PathLike
        The gold and predicted segmentations; ``"-"`` reads standard input.
    lexicon : container of str, optional
        Defines OOV words, as for :func:`score`.
    errors : {"strict", "replace"}, default "strict"
        Invalid UTF-8: stop with an error, or read the bad bytes as U+FFFD.

    Returns
    -------
    SegmentationScore

    Raises
    ------
    InputError
        When a file is missing or unreadable, holds invalid UTF-8 (with "strict"; the
        message names the file, line and byte offset), or for the reasons listed in
        :func:`score`.
    """
    check_errors(errors)
    return score(_read_lines(gold_path, errors), _read_lines(pred_path, errors), lexicon)


class _Totals:
    """Running counts over the lines."""

    def __init__(self, with_lexicon: bool):
        self.with_lexicon = with_lexicon
        self.n_lines = self.n_gold = self.n_pred = self.n_correct = 0
        self.n_oov = self.n_oov_correct = self.n_iv_correct = 0

    def add_line(self, gold: list[str], pred: list[str], lexicon, number: int) -> None:
        gold_text, pred_text = "".join(gold), "".join(pred)
        if gold_text != pred_text:
            raise InputError(f"line {number}: the gold and predicted words do not join up to "
                             f"the same text: {_first_difference(gold_text, pred_text)}")
        # Spans as (start, end) character offsets; zip, map and set run in C, which
        # keeps a million words within a second or two.
        gold_spans = _spans(gold)
        pred_spans = set(_spans(pred))
        correct = list(map(pred_spans.__contains__, gold_spans))
        n_correct = correct.count(True)
        self.n_lines += 1
        self.n_gold += len(gold)
        self.n_pred += len(pred)
        self.n_correct += n_correct
        if self.with_lexicon:
            known = [word in lexicon for word in gold]
            n_iv_correct = sum(itertools.compress(correct, known))
            self.n_iv_correct += n_iv_correct
            self.n_oov += known.count(False)
            self.n_oov_correct += n_correct - n_iv_correct

    def result(self) -> SegmentationScore:
        precision = _ratio(self.n_correct, self.n_pred) or 0.0
        recall = _ratio(self.n_correct, self.n_gold) or 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        oov_recall = iv_recall = None
        if self.with_lexicon:
            oov_recall = _ratio(self.n_oov_correct, self.n_oov)
            iv_recall = _ratio(self.n_iv_correct, self.n_gold - self.n_oov)
        return SegmentationScore(precision, recall, f1, oov_recall, iv_recall, self.n_gold,
                                 self.n_pred, self.n_correct, self.n_oov, self.n_lines)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _words_of(line: str | Sequence[str]) -> list[str]:
    if isinstance(line, str):
        return line.split()
    return [w for w in line if w and not w.isspace()]


def _spans(words: list[str]) -> Iterator[tuple[int, int]]:
    ends = list(itertools.accumulate(map(len, words)))
    return zip(itertools.chain((0,), ends), ends)


def _first_difference(gold: str, pred: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(gold, pred)) if a != b), min(len(gold), len(pred)))
    start = max(at - 5, 0)
    return (f"they first differ at character {at + 1}: gold {_excerpt(gold, start, at)} vs "
            f"predicted {_excerpt(pred, start, at)}")


def _excerpt(text: str, start: int, at: int) -> str:
    """A few characters around `at`, with ellipses where `text` goes on."""
    piece = text[start:at + 6]
    if not piece:
        return "(end of line)"
    return ("…" if start > 0 else "") + repr(piece) + ("…" if at + 6 < len(text) else "")


def _read_lines(path, errors: str) -> Iterator[str]:
    """Decoded lines of a UTF-8 file (BOM dropped), streamed; InputError on bad bytes."""
    if isinstance(path, str) and path == "-":
        yield from _decode_lines(sys.stdin.buffer, "<stdin>", errors)
        return
    name = os.fspath(path)
    with open_input(name) as f:
        yield from _decode_lines(f, name, errors)


def _decode_lines(stream, name: str, errors: str) -> Iterator[str]:
    offset = 0  # of the current line in the file, for error messages
    for number, raw in enumerate(stream, 1):
        skipped = len(codecs.BOM_UTF8) if number == 1 and raw.startswith(codecs.BOM_UTF8) else 0
        try:
            line = raw[skipped:].decode("utf-8", errors)
        except UnicodeDecodeError as exc:
            column = skipped + exc.start
            raise InputError(f"{name}, line {number}: invalid UTF-8 at byte offset "
                             f"{offset + column} (byte {column + 1} of the line)") from None
        yield line
        offset += len(raw)
