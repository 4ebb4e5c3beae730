"""Keywords: TF-IDF and the vectors' ranking against plain reference computations, the
command line (one output line per input line, bad input one error line)."""

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nlpzero.errors import InputError
from nlpzero.vectors import TfidfKeywords, WordVectors
from nlpzero.vectors.keywords import is_word_token
from cli_runs import run

VOCAB = ["经济", "发展", "的", "，", "我们", "北京", "a", "2024", "。", "要"]


def ref_tfidf(docs, text, min_length=1):
    """TF-IDF from its definition: count documents holding each word by a scan."""
    n = len(docs)
    scores = []
    for i, w in enumerate(text):
        if w in text[:i] or len(w) < min_length or not any(c.isalnum() for c in w):
            continue
        df = sum(1 for d in docs if w in d)
        scores.append((w, text.count(w) * (math.log((1 + n) / (1 + df)) + 1)))
    return scores


def ref_vector_keywords(words, vectors, text):
    """<v_w, sum of the text's known vectors> by a loop."""
    known = [w for w in text if w in words]
    s = [sum(float(vectors[words.index(w)][j]) for w in known) for j in range(vectors.shape[1])]
    out = []
    for i, w in enumerate(text):
        if w in text[:i] or w not in words or not any(c.isalnum() for c in w):
            continue
        out.append((w, sum(float(vectors[words.index(w)][j]) * s[j] for j in range(len(s)))))
    return out


def check_ranking(got, ref, text):
    """Same words and scores; best first, ties in order of first occurrence."""
    assert sorted(w for w, _ in got) == sorted(w for w, _ in ref)
    ref = dict(ref)
    for w, s in got:
        assert s == pytest.approx(ref[w], rel=1e-5, abs=1e-6)
    for (w1, s1), (w2, s2) in zip(got, got[1:]):
        assert s1 >= s2
        if s1 == s2:
            assert text.index(w1) < text.index(w2)


texts = st.lists(st.sampled_from(VOCAB + ["新词"]), max_size=12)


@settings(max_examples=60, deadline=None)
@given(docs=st.lists(texts, max_size=8), text=texts, min_length=st.integers(1, 2))
def test_tfidf_matches_reference(docs, text, min_length):
    model = TfidfKeywords(min_length=min_length).fit(docs)
    assert model.n_docs == len(docs)
    check_ranking(model.keywords(text), ref_tfidf(docs, text, min_length), text)


def test_tfidf_on_strings_topn_and_refit():
    docs = ["我们 发展 经济", "我们 喜欢 北京", "我们 发展 教育"]
    model = TfidfKeywords().fit(docs)
    got = model.keywords("我们 要 发展 经济 经济 ，", topn=3)
    assert [w for w, _ in got] == ["经济", "要", "发展"]
    assert got == TfidfKeywords().fit([d.split() for d in docs]).keywords(
        ["我们", "要", "发展", "经济", "经济", "，"], topn=3)
    model.fit(["经济 经济"])  # fitting again adds documents
    assert model.n_docs == 4 and model.df["经济"] == 2
    assert model.idf("没见过") == pytest.approx(math.log(5) + 1)


@settings(max_examples=40, deadline=None)
@given(text=texts, seed=st.integers(0, 2**16))
def test_vector_keywords_match_reference(text, seed):
    rng = np.random.default_rng(seed)
    words = VOCAB[:8]
    vectors = rng.normal(size=(len(words), 3)).astype(np.float32)
    wv = WordVectors(words, vectors)
    check_ranking(wv.keywords(text), ref_vector_keywords(words, vectors, text), text)
    assert wv.keywords(text, topn=2) == wv.keywords(text)[:2]


def test_vector_keywords_prefer_content_words():
    """On vectors trained on the People's Daily, the function words of a sentence
    rank below its content words."""
    pytest.importorskip("numba")
    from nlpzero.datasets import peoples_daily_gold
    from nlpzero.vectors import learn_vectors

    wv = learn_vectors(peoples_daily_gold()[:2000], dim=32, iterations=5, seed=1, threads=1)
    text = ["我们", "要", "大力", "发展", "经济", "的", "建设"]
    ranked = [w for w, _ in wv.keywords(text)]
    assert ranked.index("的") > ranked.index("经济")
    assert ranked.index("的") > ranked.index("发展")


@pytest.mark.parametrize("call", [
    lambda: TfidfKeywords().fit("我们 发展"),
    lambda: TfidfKeywords().fit([["我们", ""]]),
    lambda: TfidfKeywords().fit([3]),
    lambda: TfidfKeywords(min_length=0),
    lambda: TfidfKeywords().keywords("我们", topn=0),
    lambda: TfidfKeywords().keywords(None),
    lambda: WordVectors(["a"], [[1.0]]).keywords("a", topn=-1),
    lambda: WordVectors(["a"], [[1.0]]).keywords([1, 2]),
])
def test_bad_input(call):
    with pytest.raises(InputError):
        call()


def test_is_word_token():
    assert [is_word_token(w) for w in ["经济", "，", "。", "a", "2024", "——", "(x)"]] == \
        [True, False, False, True, True, False, True]


# ---------------------------------------------------------------------------
# Command line


@pytest.fixture
def texts_file(tmp_path):
    rng = random.Random(3)
    lines = [" ".join(rng.choice(VOCAB) for _ in range(rng.randrange(0, 10))) for _ in range(30)]
    path = tmp_path / "in.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, [l.split() for l in lines]


def test_cli_tfidf_matches_api(tmp_path, texts_file, capsys):
    path, docs = texts_file
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("经济 发展\n北京 我们\n经济\n", encoding="utf-8")
    for extra, fit in (([], docs), (["--idf-corpus", str(corpus)],
                                     [["经济", "发展"], ["北京", "我们"], ["经济"]])):
        code, out, err = run(["keywords", "--method", "tfidf", "--pretokenized", "--topn", "3",
                              str(path), "-q"] + extra, capsys)
        assert code == 0 and err == ""
        model = TfidfKeywords().fit(fit)
        assert out.split("\n")[:-1] == [" ".join(w for w, _ in model.keywords(d, topn=3))
                                        for d in docs]


def test_cli_vectors_matches_api(tmp_path, texts_file, capsys):
    path, docs = texts_file
    rng = np.random.default_rng(0)
    wv = WordVectors(VOCAB[:7], rng.normal(size=(7, 4)))
    vec = tmp_path / "v.txt"
    wv.save_word2vec_format(vec)
    code, out, _ = run(["keywords", str(path), "--vectors", str(vec), "--pretokenized",
                        "--scores", "-q"], capsys)
    assert code == 0
    lines = out.split("\n")[:-1]
    assert len(lines) == len(docs)
    for line, d in zip(lines, docs):
        ref = wv.keywords(d, topn=5)
        got = [item.rsplit(":", 1) for item in line.split()]
        assert [w for w, _ in got] == [w for w, _ in ref]
        assert [float(s) for _, s in got] == pytest.approx([s for _, s in ref], rel=1e-3)


def test_cli_segments_raw_text(tmp_path, capsys):
    path = tmp_path / "raw.txt"
    path.write_text("我们要发展经济，经济很重要。\n\n北京是中国的首都\n", encoding="utf-8")
    code, out, _ = run(["keywords", "--method", "tfidf", str(path), "--topn", "2", "-q"], capsys)
    assert code == 0
    lines = out.split("\n")
    assert len(lines) == 4 and lines[1] == "" and lines[0].split()[0] == "经济"


@pytest.mark.parametrize("case", ["missing", "bad_utf8", "no_vectors", "bad_vectors",
                                  "vectors_with_tfidf"])
def test_cli_bad_input(tmp_path, capsys, case):
    path = tmp_path / "in.txt"
    path.write_text("经济 发展\n", encoding="utf-8")
    argv = ["keywords", "-q", "--pretokenized"]
    if case == "missing":
        argv += [str(tmp_path / "nope.txt"), "--method", "tfidf"]
    elif case == "bad_utf8":
        path.write_bytes(b"\xff\xfe abc\n")
        argv += [str(path), "--method", "tfidf"]
    elif case == "no_vectors":
        argv += [str(path)]
    elif case == "bad_vectors":
        argv += [str(path), "--vectors", str(path)]
    else:
        argv += [str(path), "--method", "tfidf", "--vectors", str(path)]
    code, out, err = run(argv, capsys)
    assert code == 1 and out == ""
    assert len(err.strip().split("\n")) == 1 and err.startswith("nlpzero keywords: error:")
