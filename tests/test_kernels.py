"""The shared kernels of nlpzero._kernels against obviously-correct Python."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nlpzero._kernels.chars import CHAR_CLASS, DIGIT, HAN, HYPHEN, INTERPUNCTS, IS_INTERPUNCT, \
    IS_SPACE, LATIN, NUMBER_UNIT, OTHER, POINT, RUN_PUNCT
from nlpzero._kernels.arrays import new_array
from nlpzero._kernels.hashtables import build_index, first_slot, lookup
from nlpzero._kernels.tokens import join_dotted_names, mark_number_units, token_end
from inner import call_inner


@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(0, 2**62), max_size=300), st.lists(st.integers(0, 2**62), max_size=50))
def test_index_finds_each_key_and_nothing_else(keys, others):
    keys = np.array(sorted(keys), dtype=np.int64)
    table = build_index(keys)
    size = len(table) // 2
    assert size & (size - 1) == 0 and 2 * len(keys) <= size  # a power of two, at most half full
    position = {int(k): i for i, k in enumerate(keys)}
    for key in list(position) + others:
        assert call_inner(lookup, table, np.int64(key)) == position.get(key, -1)


def test_first_slot_is_within_the_table_and_spreads_keys():
    mask = 1023
    slots = [call_inner(first_slot, np.int64(k), mask) for k in range(4096)]
    assert all(0 <= s <= mask for s in slots)
    assert len(set(slots)) == 1024  # consecutive keys fill every slot


def test_space_table_is_str_isspace():
    assert [cp for cp in np.flatnonzero(IS_SPACE)] == \
        [cp for cp in range(0x110000) if chr(cp).isspace()]


def reference_token_end(text: str, i: int) -> int:
    """End of the token starting at text[i] (not Han), written plainly."""
    def cls(k):
        return CHAR_CLASS[ord(text[k])] if 0 <= k < len(text) else None
    j = i + 1
    if cls(i) == DIGIT:
        while cls(j) == DIGIT or (cls(j) == POINT and cls(j + 1) == DIGIT):
            j += 2 if cls(j) == POINT else 1
        integer = all(cls(k) == DIGIT for k in range(i, j))
        year = integer and j - i == 4
        if j < len(text) and NUMBER_UNIT[ord(text[j])] and (text[j] != "年" or year):
            j += 1  # a unit: ５％, １２月; 年 after a year of four digits only
        elif (integer and j < len(text) and text[j] in ".．" and cls(i - 1) in (None, OTHER)
              and cls(j + 1) != DIGIT and text[j + 1:j + 2] != text[j]):
            j += 1  # a list marker: "1." at the start, after a space or a mark
    elif cls(i) == LATIN:
        while cls(j) in (LATIN, DIGIT) or (cls(j) == HYPHEN and cls(j + 1) in (LATIN, DIGIT)):
            j += 1
    elif RUN_PUNCT[ord(text[i])]:
        while j < len(text) and text[j] == text[i]:
            j += 1
    return j


def reference_units(text: str) -> list[bool]:
    """The characters that end a number's atom as a unit, walking the atoms plainly."""
    units, i = [False] * len(text), 0
    while i < len(text):
        if CHAR_CLASS[ord(text[i])] == HAN:
            i += 1
            continue
        j = reference_token_end(text, i)
        units[j - 1] = j - 1 > i and bool(NUMBER_UNIT[ord(text[j - 1])])
        i = j
    return units


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="19３·.．:/年月秒%abZＣ-－——……~ 中,。", min_size=1, max_size=30))
def test_token_end_matches_reference(text):
    cps = np.array([ord(c) for c in text], dtype=np.int32)
    for i in range(len(text)):
        assert call_inner(token_end, cps, i, CHAR_CLASS, NUMBER_UNIT, RUN_PUNCT) == \
            reference_token_end(text, i)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="1９.年月秒万%％a- 中", max_size=30))
def test_number_units_match_reference(text):
    cps = np.array([ord(c) for c in text], dtype=np.int32)
    mask = np.zeros(len(text), dtype=np.bool_)
    call_inner(mark_number_units, cps, CHAR_CLASS, NUMBER_UNIT, RUN_PUNCT, mask)
    assert mask.tolist() == reference_units(text)


def reference_join_dotted(tokens: list[str]) -> list[str]:
    """Tokens with each one-character interpunct between two Han tokens joined to both."""
    def han(ch):
        return CHAR_CLASS[ord(ch)] == HAN
    out, k = [], 0
    while k < len(tokens):
        dot = tokens[k]
        if (out and len(dot) == 1 and dot in INTERPUNCTS and k + 1 < len(tokens)
                and han(out[-1][-1]) and han(tokens[k + 1][0])):
            out[-1] += dot + tokens[k + 1]
            k += 2
        else:
            out.append(dot)
            k += 1
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["中", "国人", "·", "・", "••", "a", "1", "，", "·中"]), max_size=12))
def test_dotted_names_match_reference(tokens):
    text = "".join(tokens)
    cps = np.array([ord(c) for c in text], dtype=np.uint32)
    ends = np.cumsum([len(t) for t in tokens], dtype=np.int64)
    m = call_inner(join_dotted_names, cps, ends, len(ends), CHAR_CLASS, IS_INTERPUNCT)
    got = ends[:m].tolist()
    expected = np.cumsum([len(t) for t in reference_join_dotted(tokens)]).tolist()
    assert got == expected


def test_new_array_has_the_shape_and_dtype_asked_for():
    for shape, dtype in ((5, np.int64), (0, np.bool_), ((3, 4), np.int8), (2, np.float32)):
        a = call_inner(new_array, shape, dtype)
        assert a.shape == np.empty(shape, dtype=dtype).shape and a.dtype == dtype
    like = np.zeros(3, dtype=np.uint16)
    assert call_inner(new_array, 7, like.dtype).dtype == np.uint16
    assert call_inner(new_array, 7, like.dtype.type).dtype == np.uint16
    with pytest.raises(ValueError):
        call_inner(new_array, -1, np.int64)


def test_new_array_without_numbas_private_allocation_code(monkeypatch):
    # A Numba release that moves its allocation code leaves new_array on np.empty.
    from nlpzero._kernels import arrays

    monkeypatch.setattr(arrays, "_empty_nd_impl", None)
    fallback = arrays._make_new_array()
    a = call_inner(fallback, (2, 3), np.float32)
    assert a.shape == (2, 3) and a.dtype == np.float32
