"""The segmenter protocol: what the rest of nlpzero needs from a segmenter.

:class:`~nlpzero.segmentation.Tokenizer` (dictionary), :class:`~nlpzero.segmentation.Segmenter`
(character tagger, a Tokenizer subclass) and any segmenter adapted from them implement
it; streaming segmentation, co-occurrence counting and template mining take any
:class:`WordSegmenter`. A Tokenizer subclass only has to provide :meth:`ends` (and
:meth:`compile`, when it builds something): ``cut``, ``lcut``, ``tokenize``,
``cut_lines`` and ``render_lines`` are built on it.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class WordSegmenter(Protocol):
    """A segmenter as the rest of nlpzero uses it."""

    def ends(self, cps: np.ndarray) -> np.ndarray:
        """End offsets (int64, increasing, the last one ``len(cps)``) of the tokens of
        the code points `cps`; a newline is always a token of its own."""

    def cut_lines(self, lines: Iterable[str], keep_spaces: bool = False) -> Iterator[list[str]]:
        """One list of words per line (whitespace tokens dropped unless `keep_spaces`)."""

    def compile(self) -> "WordSegmenter":
        """Build what segmenting needs now (before worker processes are forked, so that
        they share it); returns the segmenter."""
