"""The dictionary-trained character tagger: kernels against pure-Python references,
the segmenter's behaviour, model files, and the command line."""

import bisect
import itertools
import json
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nlpzero.segmentation import tagger as tg
from nlpzero.cli import main
from nlpzero._kernels.chars import INTERPUNCTS
from nlpzero.corpus import CHAR_CLASS, HAN, code_points, iter_runs
from nlpzero.errors import FormatError, InputError
from nlpzero.lexicon import Lexicon
from nlpzero.segmentation.tagger import B, E, M, S
from nlpzero.segmentation.tokenizer import Tokenizer, _compile_lexicon
from cli_runs import run
from inner import call_inner

HAN_CHARS = "中国人民银行的了是在不有大和小学生上下天地日月水火山"
han_words = st.text(alphabet=HAN_CHARS, min_size=1, max_size=5)
lexicons = st.dictionaries(han_words, st.integers(1, 1000), min_size=1, max_size=30)


def small_lexicon():
    return Lexicon({"中国": 50, "人民": 40, "银行": 30, "的": 90, "了": 60, "学生": 25,
                    "大学": 20, "大学生": 15, "上": 40, "天": 10, "山": 12, "日月": 5})


@pytest.fixture(scope="module")
def trained():
    return tg.Segmenter.train(small_lexicon(), n_samples=3000, bits=14, seed=3)


# ---------------------------------------------------------------------------
# Pure-Python references of the kernels


def ref_mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & tg._U64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & tg._U64
    return z ^ (z >> 31)


class RefRandom:
    """Pure-Python twin of :func:`_next`."""

    def __init__(self, state: int):
        self.state = state & tg._U64

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & tg._U64
        return ref_mix(self.state)


def ref_sample(cum, words, n_samples, max_words, max_chars, rng):
    """Pure-Python twin of :func:`_sample`: a list of (text, tags) pairs."""
    cum = [float(c) for c in cum]
    total = cum[-1]
    out = []
    for _ in range(n_samples):
        n_draws = 1 + rng.next() % max_words
        chosen = []
        for d in range(n_draws):
            u = float(rng.next() >> 11) * (1.0 / 9007199254740992.0) * total
            w = min(bisect.bisect_right(cum, u), len(cum) - 1)
            if d > 0 and sum(map(len, chosen)) + len(words[w]) > max_chars:
                break
            chosen.append(words[w])
        tags = "".join("S" if len(x) == 1 else "B" + "M" * (len(x) - 2) + "E" for x in chosen)
        out.append(("".join(chosen), tags))
    return out


def ref_hash(template: int, x: int, y: int, z: int, shift: int) -> int:
    h = ref_mix(((template << 42) | (x << 21) | y) & tg._U64)
    if z >= 0:
        h = ref_mix(h ^ z)
    return h >> shift


def ref_features(run: list[int], shift: int) -> list[list[int]]:
    """Pure-Python twin of :func:`_features` for one run of code points."""
    n = len(run)

    def at(i):
        return tg._BOS if i < 0 else tg._EOS if i >= n else run[i]

    out = []
    for i in range(n):
        p2, p1, c0, n1, n2 = at(i - 2), at(i - 1), at(i), at(i + 1), at(i + 2)
        specs = [(0, p2, 0, -1), (1, p1, 0, -1), (2, c0, 0, -1), (3, n1, 0, -1), (4, n2, 0, -1),
                 (5, p2, p1, -1), (6, p1, c0, -1), (7, c0, n1, -1), (8, n1, n2, -1),
                 (9, p1, n1, -1), (10, p1, c0, n1), (11, 0, 0, -1)]
        out.append([ref_hash(t, x, y, z, shift) for t, x, y, z in specs])
    return out


def ref_best_tags(emis, trans) -> tuple[float, list[int]]:
    """Brute force over every legal tag sequence (small n only)."""
    n = len(emis)
    best, arg = -math.inf, None
    for seq in itertools.product(range(4), repeat=n):
        if seq[0] not in (B, S) or seq[-1] not in (E, S):
            continue
        if any(not tg.LEGAL[a, b] for a, b in zip(seq, seq[1:])):
            continue
        s = sum(emis[i][t] for i, t in enumerate(seq)) + sum(trans[a][b] for a, b in zip(seq, seq[1:]))
        if s > best:
            best, arg = s, list(seq)
    return best, arg


def ref_train(sentences, weights, wsum, trans, tsum, shift, step):
    """Pure-Python twin of :func:`_train_chunk` on (code points, gold tags) pairs."""
    wrong = 0
    for run, gold in sentences:
        n = len(run)
        if n:
            rows = ref_features(run, shift)
            emis = [[sum(float(weights[r, t]) for r in rows[i]) for t in range(4)] for i in range(n)]
            pred = ref_viterbi_dp(emis, trans)
            if pred != list(gold):
                wrong += 1
                for i in range(n):
                    g, p = gold[i], pred[i]
                    if g != p:
                        for r in rows[i]:
                            weights[r, g] += 1
                            wsum[r, g] += step
                            weights[r, p] -= 1
                            wsum[r, p] -= step
                    if i > 0 and (gold[i - 1] != pred[i - 1] or g != p):
                        trans[gold[i - 1], g] += 1
                        tsum[gold[i - 1], g] += step
                        trans[pred[i - 1], p] -= 1
                        tsum[pred[i - 1], p] -= step
        step += 1
    return step, wrong


def ref_viterbi_dp(emis, trans) -> list[int]:
    """Plain dynamic programme with the same tie-breaking as :func:`_viterbi`."""
    n = len(emis)
    score = [[emis[0][t] if t in (B, S) else tg._NEG for t in range(4)]]
    back = [[0] * 4]
    for i in range(1, n):
        row, brow = [], []
        for t in range(4):
            best, arg = tg._NEG * 2, 0
            for p in range(4):
                if tg.LEGAL[p, t]:
                    s = score[i - 1][p] + trans[p][t]
                    if s > best:
                        best, arg = s, p
            row.append(best + emis[i][t])
            brow.append(arg)
        score.append(row)
        back.append(brow)
    last = S if n == 1 or score[n - 1][S] >= score[n - 1][E] else E
    tags = [last]
    for i in range(n - 1, 0, -1):
        tags.append(back[i][tags[-1]])
    return tags[::-1]


def ref_lattice(run: str, emis, trans, dict_weight, max_word_len, logp: dict, unk_logp):
    """Brute force over every segmentation of a short run: the words of the best."""
    n = len(run)
    best, arg = -math.inf, None

    def splits(i):
        if i == n:
            yield []
            return
        for j in range(i + 1, n + 1):
            w = run[i:j]
            if j - i <= max_word_len or w in logp:
                for rest in splits(j):
                    yield [w] + rest

    for words in splits(0):
        tags = []
        for w in words:
            tags += [S] if len(w) == 1 else [B] + [M] * (len(w) - 2) + [E]
        s = sum(emis[i][t] for i, t in enumerate(tags))
        s += sum(trans[p][t] for p, t in zip(tags, tags[1:]))
        s += dict_weight * sum(logp[w] if w in logp else
                               sum(max(logp.get(c, -math.inf), unk_logp) for c in w)
                               for w in words)
        if s > best + 1e-9:
            best, arg = s, words
    return arg


# ---------------------------------------------------------------------------
# Kernels against references


@settings(max_examples=40, deadline=None)
@given(lexicons, st.integers(0, 2**64 - 1), st.integers(1, 16), st.integers(1, 20),
       st.integers(1, 30))
def test_sample_matches_reference(lex, seed, max_words, max_chars, n):
    source = tg._SampleSource(Lexicon(lex), seed)
    cps, tags, ends = source.draw(n, max_words, max_chars)
    ref = ref_sample(source.cum, source.words, n, max_words, max_chars, RefRandom(seed))
    text = cps.astype("<u4").tobytes().decode("utf-32-le")
    got, start = [], 0
    for end in ends.tolist():
        got.append((text[start:end], "".join(tg.TAGS[t] for t in tags[start:end])))
        start = end
    assert got == ref


def test_sample_sentences_are_lexicon_words_and_reproducible():
    lex = small_lexicon()
    lex.add("T恤", 100)  # not all Han: never sampled
    a = tg.sample_sentences(lex, 300, seed=7, max_words=5, max_chars=12)
    assert a == tg.sample_sentences(lex, 300, seed=7, max_words=5, max_chars=12)
    assert a != tg.sample_sentences(lex, 300, seed=8, max_words=5, max_chars=12)
    drawn = {}
    for words, tags in a:
        assert 1 <= len(words) <= 5
        assert len("".join(words)) <= 12 or len(words) == 1
        assert tags == "".join("S" if len(w) == 1 else "B" + "M" * (len(w) - 2) + "E"
                               for w in words)
        for w in words:
            assert w in lex and w != "T恤"
            drawn[w] = drawn.get(w, 0) + 1
    # Frequent words come up more often than rare ones.
    assert drawn["的"] > drawn.get("日月", 0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([ord(c) for c in HAN_CHARS] + [0x20000, 0x4E00]),
                min_size=1, max_size=12), st.integers(8, 24))
def test_features_match_reference(run, bits):
    cps = np.array([0x41] + run + [0x42], dtype=np.int64)  # the run sits inside other text
    rows = np.empty((len(run), tg.N_FEATURES), dtype=np.int64)
    call_inner(tg._features, cps, 1, 1 + len(run), 64 - bits, rows)
    assert rows.tolist() == ref_features(run, 64 - bits)
    assert rows.min() >= 0 and rows.max() < 2**bits


def test_features_on_real_runs(pd_lines):
    runs = [r for line in pd_lines[:200] for r in iter_runs(line)]
    for run in runs[:300]:
        cps = code_points(run).astype(np.int64)
        rows = np.empty((len(run), tg.N_FEATURES), dtype=np.int64)
        call_inner(tg._features, cps, 0, len(run), 64 - 20, rows)
        assert rows.tolist() == ref_features(cps.tolist(), 64 - 20)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(0, 2**32))
def test_viterbi_is_the_best_legal_sequence(n, seed):
    rng = np.random.default_rng(seed)
    emis = rng.normal(size=(n, 4))
    trans = rng.normal(size=(4, 4))
    tags = np.empty(n, dtype=np.int64)
    total = call_inner(tg._viterbi, emis, n, trans, tg.LEGAL, np.empty((n, 4)),
                       np.zeros((n, 4), dtype=np.int64), tags)
    best, seq = ref_best_tags(emis.tolist(), trans.tolist())
    assert math.isclose(total, best, rel_tol=1e-9, abs_tol=1e-9)
    assert tags.tolist() == seq
    assert tags.tolist() == ref_viterbi_dp(emis.tolist(), trans.tolist())


@settings(max_examples=15, deadline=None)
@given(lexicons, st.integers(0, 2**32), st.integers(8, 12))
def test_train_chunk_matches_reference(lex, seed, bits):
    source = tg._SampleSource(Lexicon(lex), seed)
    cps, tags, ends = source.draw(25, 6, 15)
    shape = (2**bits, 4)
    w, ws, t, ts = np.zeros(shape), np.zeros(shape), np.zeros((4, 4)), np.zeros((4, 4))
    step, wrong = tg._train_chunk(cps, tags, ends, w, ws, t, ts, tg.LEGAL, 64 - bits, 1,
                                  np.empty((0, 4)))
    sentences, start = [], 0
    for end in ends.tolist():
        sentences.append((cps[start:end].tolist(), tags[start:end].tolist()))
        start = end
    rw, rws, rt, rts = np.zeros(shape), np.zeros(shape), np.zeros((4, 4)), np.zeros((4, 4))
    rstep, rwrong = ref_train(sentences, rw, rws, rt, rts, 64 - bits, 1)
    assert (step, wrong) == (rstep, rwrong)
    assert np.array_equal(w, rw) and np.array_equal(ws, rws)
    assert np.array_equal(t, rt) and np.array_equal(ts, rts)


@settings(max_examples=15, deadline=None)
@given(lexicons, st.integers(0, 2**32), st.integers(8, 12))
def test_train_chunk_scores_every_position_without_learning(lex, seed, bits):
    source = tg._SampleSource(Lexicon(lex), seed)
    cps, tags, ends = source.draw(25, 6, 15)
    rng = np.random.default_rng(seed)
    w, ws = rng.normal(size=(2**bits, 4)), rng.normal(size=(2**bits, 4))
    t, ts = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    before = [a.copy() for a in (w, ws, t, ts)]
    scores = np.empty((len(cps), 4))
    tg._train_chunk(cps, tags, ends, w, ws, t, ts, tg.LEGAL, 64 - bits, 1, scores)
    expected, start = [], 0
    for end in ends.tolist():
        for rows in ref_features(cps[start:end].tolist(), 64 - bits):
            expected.append([sum(float(w[r, k]) for r in rows) for k in range(4)])
        start = end
    assert np.array_equal(scores, np.array(expected))
    assert all(np.array_equal(a, b) for a, b in zip((w, ws, t, ts), before))


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="中国人民大学生", min_size=1, max_size=7),
       st.dictionaries(st.text(alphabet="中国人民大学生", min_size=1, max_size=4),
                       st.integers(1, 100), min_size=1, max_size=12),
       st.sampled_from([0.0, 0.05, 0.5, 3.0]), st.integers(1, 4), st.integers(0, 2**32))
def test_lattice_matches_brute_force(run, lex, weight, max_len, seed):
    rng = np.random.default_rng(seed)
    n = len(run)
    emis = rng.normal(size=(n, 4))
    trans = rng.normal(size=(4, 4))
    table, root, node_logp, unk = _compile_lexicon(Lexicon(lex))
    total = sum(lex.values())
    logp = {w: math.log(c) - math.log(total) for w, c in lex.items()}
    cps = code_points(run).astype(np.int64)
    cut = np.zeros(n, dtype=np.bool_)
    call_inner(tg._lattice_run, cps, 0, n, emis, trans, weight, max_len, table, root,
               node_logp, unk, np.empty(n + 1), np.empty(n + 1), np.empty((n + 1, 2)),
               np.empty((n + 1, 2), dtype=np.int64), cut)
    ends = (np.flatnonzero(cut) + 1).tolist()
    words = [run[a:b] for a, b in zip([0] + ends[:-1], ends)]
    assert words == ref_lattice(run, emis.tolist(), trans.tolist(), weight, max_len, logp, unk)


# ---------------------------------------------------------------------------
# The segmenter


def test_learns_to_segment_unseen_pseudo_sentences(trained):
    held_out = tg.sample_sentences(small_lexicon(), 300, seed=99)
    correct = sum(trained.lcut("".join(words)) == words for words, _ in held_out)
    assert correct / len(held_out) > 0.9
    assert set(trained.tag("中国人民银行")) <= set("BMES")


def test_same_seed_same_model():
    a = tg.Segmenter.train(small_lexicon(), n_samples=300, bits=12, seed=5)
    b = tg.Segmenter.train(small_lexicon(), n_samples=300, bits=12, seed=5)
    c = tg.Segmenter.train(small_lexicon(), n_samples=300, bits=12, seed=6)
    assert np.array_equal(a.weights, b.weights) and np.array_equal(a.transitions, b.transitions)
    assert not np.array_equal(a.weights, c.weights)


def test_atoms_and_punctuation_like_the_tokenizer(trained, pd_lines):
    tk = Tokenizer(small_lexicon())
    lines = pd_lines[:300] + ["ABC中国2024.5年，ｘｙ。", "", "  中 国  ", "１９９８年人民",
                            "１．COVID-19和ＣＤ—ＲＯＭ，4—6"]
    for line, words in zip(lines, trained.cut_lines(lines, keep_spaces=True)):
        assert "".join(words) == line
        other = [w for w in words if CHAR_CLASS[ord(w[0])] != HAN]
        assert other == [w for w in tk.lcut(line) if CHAR_CLASS[ord(w[0])] != HAN]
        assert all(all(CHAR_CLASS[ord(c)] == HAN or c in INTERPUNCTS for c in w) for w in words
                   if CHAR_CLASS[ord(w[0])] == HAN)  # Han words, and names such as 比尔·盖茨


def test_a_transliterated_name_is_one_token_as_in_the_tokenizer(trained):
    words = trained.lcut("总统拉吉夫·甘地说，马丁·路德·金")
    assert "".join(words) == "总统拉吉夫·甘地说，马丁·路德·金"
    names = [w for w in words if "·" in w]
    assert len(names) == 2 and all(len(w) >= 3 for w in names) and names[1].endswith("路德·金")
    assert trained.lcut("·") == ["·"] and trained.lcut("中··国")[1] == "··"


@pytest.mark.parametrize("weight", [0.0, 0.3])
def test_threads_do_not_change_the_result(trained, pd_lines, weight):
    old = trained.dict_weight
    trained.dict_weight = weight
    trained.n_jobs = 1
    one = list(trained.cut_lines(pd_lines[:250]))
    trained.n_jobs = 2
    assert list(trained.cut_lines(pd_lines[:250])) == one
    assert [trained.lcut(line) for line in pd_lines[:50]] == one[:50]
    trained.dict_weight = old


def unjoin_dotted_names(words):
    out = []
    for w in words:
        out.extend(re.split(f"([{INTERPUNCTS}])", w) if len(w) > 1 and w[0] not in INTERPUNCTS
                   else [w])
    return [w for w in out if w]


def test_large_dict_weight_gives_the_unigram_tokenizer(pd_lines, jieba_dict_path):
    # With the lexicon dominating, the lattice picks the tokenizer's path, except that
    # the tagger may join single characters into a word the lexicon does not know
    # (the lexicon scores such a span like its characters).
    lexicon = Lexicon.load(jieba_dict_path)
    seg = tg.Segmenter.train(lexicon, n_samples=200, bits=10, dict_weight=1e4)
    tk = Tokenizer(lexicon)
    lines = pd_lines[:200]
    same = joined = 0
    for mine, theirs in zip(seg.cut_lines(lines), tk.cut_lines(lines)):
        # Both join the parts of a name (拉吉夫·甘地); compare the parts.
        mine, theirs = unjoin_dotted_names(mine), unjoin_dotted_names(theirs)
        split = []
        for w in mine:
            unknown = len(w) > 1 and w not in lexicon and CHAR_CLASS[ord(w[0])] == HAN
            split.extend(w if unknown else [w])
            joined += unknown
        same += split == theirs
    assert same >= len(lines) - 2  # only exact ties between two paths may differ
    assert joined > 0


def test_tokenize_and_cut_agree(trained):
    text = "中国人民银行的大学生，2024年上天"
    spans = list(trained.tokenize(text))
    assert [w for w, _, _ in spans] == trained.lcut(text) == list(trained.cut(text))
    assert all(text[a:b] == w for w, a, b in spans)
    assert trained.lcut("") == []


def test_tokenizer_and_segmenter_follow_the_segmenter_protocol(trained):
    from nlpzero.segmentation import Tokenizer, WordSegmenter
    from nlpzero.corpus import code_points

    tk = Tokenizer({"中国": 5, "人民": 3})
    text = "中国人民银行\n2024年"
    for segmenter in (tk, trained):
        assert isinstance(segmenter, WordSegmenter)
        assert segmenter.compile() is segmenter
        ends = segmenter.ends(code_points(text)).tolist()
        assert ends[-1] == len(text) and ends == sorted(set(ends))
        starts = [0] + ends[:-1]
        assert [text[a:b] for a, b in zip(starts, ends)] == segmenter.lcut(text)
    # A Segmenter is set up as a Tokenizer is, and joins units to numbers as it does.
    assert trained.number_units is True
    assert tg.Segmenter(np.zeros((16, 4)), np.zeros((4, 4))).number_units is True


def test_bad_arguments():
    with pytest.raises(InputError):
        tg.Segmenter.train(small_lexicon(), n_samples=0)
    with pytest.raises(InputError):
        tg.Segmenter.train(small_lexicon(), n_samples=10, bits=40)
    with pytest.raises(InputError):
        tg.Segmenter.train(small_lexicon(), n_samples=10, seed=-1)
    with pytest.raises(InputError):
        tg.Segmenter.train({"ABC": 3, "123": 4}, n_samples=10)
    with pytest.raises(InputError):
        tg.Segmenter(np.zeros((3, 4)), np.zeros((4, 4)))
    with pytest.raises(InputError):
        tg.Segmenter(np.zeros((16, 4)), np.zeros((4, 4)), dict_weight=-1)
    with pytest.raises(TypeError):
        tg.Segmenter(np.zeros((16, 4)), np.zeros((4, 4))).lcut(b"abc")


# ---------------------------------------------------------------------------
# Model files


def test_save_load_round_trip(trained, tmp_path, pd_lines):
    old = trained.dict_weight
    trained.dict_weight = 0.2
    path = tmp_path / "model.npz"
    trained.save(path)
    loaded = tg.Segmenter.load(path)
    assert np.array_equal(loaded.weights, trained.weights)
    assert loaded.lexicon == trained.lexicon and loaded.dict_weight == 0.2
    assert list(loaded.cut_lines(pd_lines[:200])) == list(trained.cut_lines(pd_lines[:200]))
    with np.load(path, allow_pickle=False) as data:
        header = json.loads(data["header"].tobytes())
    assert header["format"] == tg.FORMAT and header["version"] == tg.FORMAT_VERSION
    trained.dict_weight = old


def _rewrite(path, out, **changes):
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays.update(changes)
    np.savez(out, **arrays)


def test_corrupt_models(trained, tmp_path):
    good = tmp_path / "model.npz"
    trained.save(good)
    data = good.read_bytes()
    bad = {
        "truncated": data[: len(data) // 2],
        "text": "中国 3\n".encode(),
        "empty": b"",
        "flipped": data[:200] + bytes(b ^ 0xFF for b in data[200:400]) + data[400:],
    }
    for name, content in bad.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(FormatError):
            tg.Segmenter.load(tmp_path / name)
    header = json.loads(np.load(good)["header"].tobytes())
    for key, value in [("version", 99), ("format", "other"), ("bits", 3)]:
        changed = dict(header, **{key: value})
        out = tmp_path / f"{key}.npz"
        _rewrite(good, out, header=np.frombuffer(json.dumps(changed).encode(), dtype=np.uint8))
        with pytest.raises(FormatError):
            tg.Segmenter.load(out)
    out = tmp_path / "nan.npz"
    w = trained.weights.copy()
    w[0, 0] = np.nan
    _rewrite(good, out, weights=w)
    with pytest.raises(FormatError):
        tg.Segmenter.load(out)
    out = tmp_path / "pickled.npz"
    _rewrite(good, out, lexicon_counts=np.array([{"a": 1}], dtype=object))
    with pytest.raises(FormatError):
        tg.Segmenter.load(out)
    with pytest.raises(InputError):
        tg.Segmenter.load(tmp_path / "missing.npz")


# ---------------------------------------------------------------------------
# Command line


def test_cli_train_then_segment(tmp_path, capsys):
    lex = tmp_path / "lex.txt"
    small_lexicon().save(lex)
    model = tmp_path / "model.npz"
    code, _, _ = run(["train-segmenter", "--lexicon", str(lex), "-o", str(model),
                      "--samples", "2000", "--bits", "14", "-q"], capsys)
    assert code == 0 and model.exists()
    text = tmp_path / "in.txt"
    text.write_text("中国人民银行的大学生。\n\n2024年上天\n", encoding="utf-8")
    code, out, _ = run(["segment", "--model", str(model), str(text), "-q"], capsys)
    assert code == 0
    lines = out.split("\n")
    assert [l.replace(" ", "") for l in lines[:-1]] == ["中国人民银行的大学生。", "", "2024年上天"]
    assert lines[0].startswith("中国 人民 银行")
    code, alone, _ = run(["segment", "--model", str(model), "--dict-weight", "0", str(text), "-q"],
                         capsys)
    assert code == 0 and alone.replace(" ", "") == out.replace(" ", "")
    code, _, err = run(["segment", "--dict-weight", "0", str(text), "-q"], capsys)
    assert code == 1 and "--dict-weight" in err


def test_cli_errors(tmp_path, capsys):
    model = tmp_path / "model.npz"
    code, _, err = run(["train-segmenter", "--lexicon", str(tmp_path / "no.txt"),
                        "-o", str(model), "-q"], capsys)
    assert code == 1 and err.count("\n") == 1 and "train-segmenter: error" in err
    assert not model.exists()
    lex = tmp_path / "lex.txt"
    lex.write_text("ABC 3\n123 4\n", encoding="utf-8")  # no Han word to sample
    code, _, err = run(["train-segmenter", "--lexicon", str(lex), "-o", str(model), "-q"], capsys)
    assert code == 1 and err.count("\n") == 1 and not model.exists()
    code, _, err = run(["train-segmenter", "--lexicon", str(lex), "-o",
                        str(tmp_path / "no" / "model.npz"), "-q"], capsys)
    assert code == 1 and "does not exist" in err
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really")
    text = tmp_path / "in.txt"
    text.write_text("中国\n", encoding="utf-8")
    out_file = tmp_path / "out.txt"
    code, _, err = run(["segment", "--model", str(bad), str(text), "-o", str(out_file), "-q"],
                       capsys)
    assert code == 1 and err.count("\n") == 1 and "segment: error" in err
    assert not out_file.exists()
    with pytest.raises(SystemExit) as exc:
        main(["segment", "--model", str(bad), "--lexicon", str(text), str(text)])
    assert exc.value.code == 2
    capsys.readouterr()


def test_reference_random_is_the_kernel_generator():
    state = np.array([12345], dtype=np.uint64)
    ref = RefRandom(12345)
    assert [int(call_inner(tg._next, state)) for _ in range(5)] == [ref.next() for _ in range(5)]


@settings(max_examples=40, deadline=None)
@given(lengths=st.lists(st.integers(0, 30), max_size=25), n_blocks=st.integers(1, 6))
def test_blocks_of_runs_cover_the_runs_in_order(lengths, n_blocks):
    starts = np.cumsum([0] + lengths[:-1]).astype(np.int64) if lengths else np.zeros(0, np.int64)
    ends = starts + np.array(lengths, dtype=np.int64)
    covered = []
    for blk in range(n_blocks):
        lo, hi, longest = call_inner(tg._block_of_runs, starts, ends, blk, n_blocks)
        covered.extend(range(lo, hi))
        assert longest == max([1] + lengths[lo:hi])
    assert covered == list(range(len(lengths)))
