"""Token cutting shared by the segmenters: where a token that is not part of a Han
run ends, and one step down a lexicon trie."""

from __future__ import annotations

from .._jit import njit_inner
from .chars import DIGIT, LATIN, POINT
from .hashtables import lookup

#: Code points: trie edges below the root are keyed ``node * CP_SPAN + code_point``.
CP_SPAN = 0x110000


@njit_inner
def token_end(cps, i, char_class, number_unit, run_punct):
    """End of the token that starts at `cps[i]`, for a character that is not Han.

    Digits with inner points (and the unit that follows: 年 in １９９８年, marked in
    `number_unit`) form one atom; Latin letters and the letters and digits right after
    them another (TiO2, H5N1, ISO9001: the PKU and CTB standards keep such codes whole,
    while a number keeps its unit apart: 10 mm); a run of one repeated mark of
    `run_punct` (——, ……) is one token; any other character is a token alone.
    """
    n = len(cps)
    cls = char_class[cps[i]]
    j = i + 1
    if cls == DIGIT:
        while j < n:
            c = char_class[cps[j]]
            if c == DIGIT:
                j += 1
            elif c == POINT and j + 1 < n and char_class[cps[j + 1]] == DIGIT:
                j += 2
            else:
                break
        if j < n and number_unit[cps[j]]:
            j += 1
    elif cls == LATIN:
        while j < n and (char_class[cps[j]] == LATIN or char_class[cps[j]] == DIGIT):
            j += 1
    elif run_punct[cps[i]]:
        while j < n and cps[j] == cps[i]:
            j += 1
    return j


@njit_inner
def trie_child(table, root, node, cp):
    """Child of `node` along code point `cp`, or -1.

    The root's children sit in a direct array (one load); deeper edges in the same
    interleaved open-addressing table as the n-gram index.
    """
    # One exit (see :func:`~nlpzero._kernels.hashtables.lookup`); the segmentation kernel, never at the root after its
    # first character, calls _lookup itself.
    child = root[cp] if node == 0 else lookup(table, node * CP_SPAN + cp)
    return child
