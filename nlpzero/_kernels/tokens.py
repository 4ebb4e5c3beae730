"""Token cutting shared by the segmenters: where a token that is not part of a Han
run ends, and one step down a lexicon trie."""

from __future__ import annotations

from .._jit import njit, njit_inner
from .chars import DIGIT, HAN, HYPHEN, LATIN, OTHER, POINT
from .hashtables import lookup

#: Code points: trie edges below the root are keyed ``node * CP_SPAN + code_point``.
CP_SPAN = 0x110000
#: The full stops that end a list marker (１．, 2.): . and ．
_STOP, _WIDE_STOP = 0x2E, 0xFF0E
#: 年, the unit of a calendar year: it joins a number of four digits only.
_YEAR = 0x5E74


@njit_inner
def token_end(cps, i, char_class, number_unit, run_punct):
    """End of the token that starts at `cps[i]`, for a character that is not Han.

    Digits with inner points (and the unit that follows, marked in `number_unit`: ５％,
    １２月, and 年 after a year of four digits: １９９８年 but ３ 年) form one atom, and so
    does a list marker, an integer that begins the text or follows a character of no
    word (a space, 。, ；) with the full stop right after it (１． in "１．要", 12.).
    Latin letters and the letters and digits right after them form another, their parts
    joined by single hyphens or dashes (TiO2, H5N1, ISO9001, COVID-19, ＣＤ—ＲＯＭ: the PKU
    and CTB standards keep such codes whole, while a number keeps its unit apart: 10 mm,
    and a range of numbers is three tokens: 4—6). A run of one repeated mark of
    `run_punct` (——, ……) is one token; any other character is a token alone.
    """
    n = len(cps)
    cls = char_class[cps[i]]
    j = i + 1
    if cls == DIGIT:
        integer = True
        while j < n:
            c = char_class[cps[j]]
            if c == DIGIT:
                j += 1
            elif c == POINT and j + 1 < n and char_class[cps[j + 1]] == DIGIT:
                j += 2
                integer = False
            else:
                break
        if j < n and number_unit[cps[j]] and (cps[j] != _YEAR or (integer and j - i == 4)):
            j += 1
        elif integer and _ends_list_marker(cps, i, j, char_class):
            j += 1
    elif cls == LATIN:
        while j < n:
            c = char_class[cps[j]]
            if c == LATIN or c == DIGIT:
                j += 1
            elif c == HYPHEN and j + 1 < n and (char_class[cps[j + 1]] == LATIN
                                                or char_class[cps[j + 1]] == DIGIT):
                j += 2
            else:
                break
    elif run_punct[cps[i]]:
        while j < n and cps[j] == cps[i]:
            j += 1
    return j


@njit_inner
def join_dotted_names(cps, ends, m, char_class, is_interpunct):
    """Join each interpunct between two Han tokens to both (拉吉夫 · 甘地 -> 拉吉夫·甘地;
    马丁·路德·金 in one), in place in the token ends ``ends[:m]`` of `cps`; return the new
    number of tokens (`is_interpunct`: :data:`~nlpzero._kernels.chars.IS_INTERPUNCT`). The
    PKU, CTB and MSR standards write a transliterated name whole. A run of dots (··) is
    left alone."""
    out = 0
    k = 0
    while k < m:
        start = ends[k - 1] if k > 0 else 0
        if (out > 0 and k + 1 < m and ends[k] - start == 1 and is_interpunct[cps[start]]
                and char_class[cps[start - 1]] == HAN and char_class[cps[ends[k]]] == HAN):
            ends[out - 1] = ends[k + 1]
            k += 2
        else:
            ends[out] = ends[k]
            out += 1
            k += 1
    return out


@njit
def join_dotted_names_of(cps, ends, char_class, is_interpunct):
    """:func:`join_dotted_names` on a whole array of ends, for the segmenters whose ends
    come from Python (the tagger's); returns the number of tokens kept at the front."""
    return join_dotted_names(cps, ends, len(ends), char_class, is_interpunct)


@njit_inner
def mark_number_units(cps, char_class, number_unit, run_punct, mask):
    """Set `mask` at the characters of `cps` that are a number's unit (the 年 of
    １９９８年, the ％ of ５％): those that end a number's atom in :func:`token_end`, so
    that a Han unit is outside every Han run."""
    n = len(cps)
    i = 0
    while i < n:
        if char_class[cps[i]] == HAN:
            i += 1
        else:
            j = token_end(cps, i, char_class, number_unit, run_punct)
            if j - 1 > i and number_unit[cps[j - 1]]:
                mask[j - 1] = True
            i = j


@njit_inner
def _ends_list_marker(cps, i, j, char_class):
    """Whether the full stop at `cps[j]` ends a list marker with the integer
    `cps[i:j]`: the integer begins the text or follows a character of no word, and no
    digit or second full stop follows (2.5 is a number, 3.. an ellipsis)."""
    n = len(cps)
    if j >= n or (cps[j] != _STOP and cps[j] != _WIDE_STOP):
        return False
    if i > 0 and char_class[cps[i - 1]] != OTHER:
        return False
    return j + 1 == n or (char_class[cps[j + 1]] != DIGIT and cps[j + 1] != cps[j])


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
