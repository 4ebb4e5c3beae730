"""The Numba n-gram counter against a naive Counter of substrings."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nlpzero.corpus import iter_runs
from nlpzero._kernels.merges import merge_counts
from nlpzero.discovery.ngrams import NgramCounter, _run_length_counts


def naive_counts(texts, order, min_count):
    ref = Counter()
    for t in texts:
        for run in iter_runs(t):
            for n in range(1, order + 1):
                for i in range(len(run) - n + 1):
                    ref[run[i:i + n]] += 1
    return {k: v for k, v in ref.items() if v >= min_count}


def all_counts(counter):
    got = {}
    for n in range(1, counter.order + 1):
        words, counts = counter.ngrams(n)
        got.update(zip(words, counts.tolist()))
    return got


ALPHABET = "中国人民日报的了是a1２，𠀀 "
texts_strategy = st.lists(st.text(alphabet=ALPHABET, max_size=40), max_size=30)


@settings(max_examples=60, deadline=None)
@given(texts=texts_strategy, order=st.integers(1, 7), min_count=st.integers(1, 4))
def test_counts_match_naive_counter(texts, order, min_count):
    counter = NgramCounter(order=order, min_count=min_count).fit(texts)
    expected = naive_counts(texts, order, min_count)
    assert all_counts(counter) == expected
    for s, c in expected.items():
        assert counter.count(s) == c


def test_real_text_matches_naive(pd_lines):
    lines = pd_lines[:300]
    counter = NgramCounter(order=6, min_count=2).fit(lines)
    assert all_counts(counter) == naive_counts(lines, 6, 2)


def test_totals_count_windows_before_pruning():
    counter = NgramCounter(order=3, min_count=5).fit(["中国人民", "人民，日报"])
    assert counter.total(1) == 8
    assert counter.total(2) == 3 + 1 + 1
    assert counter.total(3) == 2


def test_incremental_update_equals_one_fit():
    a = ["中国人民日报", "人民的日报"]
    b = ["日报的人民", "中国的人民"]
    inc = NgramCounter(order=4, min_count=2).fit(a).update(b)
    assert all_counts(inc) == all_counts(NgramCounter(order=4, min_count=2).fit(a + b))
    assert inc.count("人民") == 4


def test_unknown_and_too_long_strings_count_zero():
    counter = NgramCounter(order=2, min_count=1).fit("中国人民")
    assert counter.count("中国人") == 0  # longer than the order
    assert counter.count("国中") == 0
    assert counter.count("ab") == 0
    assert counter.count("") == 0
    assert "中国" in counter and "日本" not in counter


def test_windows_never_span_batches(monkeypatch):
    import nlpzero.discovery.ngrams as ngrams

    texts = ["中国" * 50, "人民" * 50]
    small = NgramCounter(order=3, min_count=1)
    monkeypatch.setattr(ngrams, "batch_texts", lambda t: _tiny_batches(t))
    small.fit(texts)
    assert all_counts(small) == naive_counts(texts, 3, 1)


def _tiny_batches(texts):
    # One batch per text: a window must not run from the end of one into the next.
    for t in texts:
        yield t


def test_chunked_counting_matches(monkeypatch):
    import nlpzero.discovery.ngrams as ngrams

    lines = ["中国人民日报的人民", "人民的中国日报", "的的的"] * 20
    monkeypatch.setattr(ngrams, "CHUNK_WINDOWS", 5)
    assert all_counts(NgramCounter(order=4, min_count=2).fit(lines)) == naive_counts(lines, 4, 2)


@given(st.lists(st.integers(0, 20), max_size=50), st.lists(st.integers(0, 20), max_size=50))
def test_merge_kernel_adds_counts(a, b):
    ka, ca = _run_length_counts(np.sort(np.array(a, dtype=np.int64)))
    kb, cb = _run_length_counts(np.sort(np.array(b, dtype=np.int64)))
    keys, counts = merge_counts(ka, ca, kb, cb)
    expected = Counter(a) + Counter(b)
    assert dict(zip(keys.tolist(), counts.tolist())) == dict(expected)
    assert list(keys) == sorted(expected)


def test_invalid_parameters():
    with pytest.raises(ValueError):
        NgramCounter(order=0)
    with pytest.raises(ValueError):
        NgramCounter(min_count=0)
    with pytest.raises(TypeError):
        NgramCounter().fit([b"bytes"])


def check_parts(counter):
    """Every part of every kept n-gram is found at its own index (by string)."""
    for n in range(2, counter.order + 1):
        grams, _ = counter.ngrams(n)
        for start in range(n):
            for width in range(1, n - start + 1):
                parts, _ = counter.ngrams(width)
                idx = counter.part_index(n, start, width)
                assert [parts[i] for i in idx] == [g[start:start + width] for g in grams]


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.text(alphabet="天地人和中国大小", max_size=15), max_size=20),
       order=st.integers(2, 5), min_count=st.integers(1, 3))
def test_part_index_names_every_part(texts, order, min_count):
    check_parts(NgramCounter(order=order, min_count=min_count).fit(texts))


def test_part_index_on_real_text(pd_lines):
    check_parts(NgramCounter(order=4, min_count=3).fit(pd_lines[:300]))
    with pytest.raises(ValueError, match="no part"):
        NgramCounter(order=3).fit(["中国人民"]).part_index(3, 2, 2)


def naive_positions(counter, n):
    """Index of the kept n-gram at each corpus position, by string look-up."""
    words, _ = counter.ngrams(n)
    index = {w: i for i, w in enumerate(words)}
    ids = counter.corpus_ids.tolist()
    chars = counter.vocab._chars
    out = []
    for i in range(len(ids)):
        window = ids[i:i + n]
        ok = len(window) == n and min(window) >= 0
        out.append(index.get("".join(chr(chars[c]) for c in window), -1) if ok else -1)
    return out


@pytest.mark.parametrize("packed", [True, False])
@settings(max_examples=40, deadline=None)
@given(texts=texts_strategy, order=st.integers(2, 5), min_count=st.integers(1, 3))
def test_positions_while_counting_match_naive(packed, texts, order, min_count):
    import nlpzero.discovery.ngrams as ngrams

    old = ngrams.PACKED_LOCATE
    ngrams.PACKED_LOCATE = packed
    try:
        counter = NgramCounter(order=order, min_count=min_count).fit(texts)
        got = {n: pos.tolist() for n, pos in counter.positions()}  # counts as it goes
    finally:
        ngrams.PACKED_LOCATE = old
    assert all_counts(counter) == naive_counts(texts, order, min_count)
    for n in range(1, order + 1):
        assert got[n] == naive_positions(counter, n)
    again = {n: pos.tolist() for n, pos in counter.positions()}  # from the tables
    assert again == got


def test_packed_and_looked_up_positions_agree_on_real_text(pd_lines, monkeypatch):
    import nlpzero.discovery.ngrams as ngrams

    def run():
        c = NgramCounter(order=5, min_count=2).fit(pd_lines[:500])
        return [pos.copy() for _, pos in c.positions()], all_counts(c)

    packed_pos, packed_counts = run()
    monkeypatch.setattr(ngrams, "PACKED_LOCATE", False)
    plain_pos, plain_counts = run()
    assert packed_counts == plain_counts
    assert all((a == b).all() for a, b in zip(packed_pos, plain_pos))


def test_abandoned_counting_is_redone():
    counter = NgramCounter(order=4, min_count=1).fit(["中国人民日报", "人民日报社"])
    gen = counter.positions()
    next(gen)
    next(gen)  # orders 1 and 2 counted
    with pytest.raises(RuntimeError):
        counter.counts(4)  # not counted yet
    gen.close()
    assert counter.count("人民日报") == 2 and counter.count("日报社") == 1


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 63)), max_size=60,
                unique_by=lambda t: t[1]),
       st.integers(1, 3))
def test_locate_groups_matches_reference(windows, min_count):
    from nlpzero.discovery.ngrams import _locate_groups

    pos_bits = 6
    packed = np.sort(np.array([(k << pos_bits) | p for k, p in windows], dtype=np.int64))
    keys, counts, cur = _locate_groups(packed, pos_bits, min_count, 64)
    freq = Counter(k for k, _ in windows)
    kept = sorted(k for k, c in freq.items() if c >= min_count)
    assert keys.tolist() == kept
    assert counts.tolist() == [freq[k] for k in kept]
    where = {p: kept.index(k) for k, p in windows if k in kept}
    assert cur.tolist() == [where.get(p, -1) for p in range(65)]
