"""New words against a base dictionary, and the segmenter adapted to a domain."""

import os
import random
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpzero import InputError, Lexicon, Segmenter, adapt_segmenter, find_new_words
from nlpzero.discovery.newwords import NewWord, NewWords, count_occurrences, score_candidates
from nlpzero.segmentation.adaptation import mix_counts, token_counts

from cli_runs import run_cli

BASE = {"他": 900, "的": 3000, "说": 700, "了": 1500, "是": 1600, "在": 1200, "我": 800,
        "看": 400, "天": 300, "今天": 250, "明天": 200, "我们": 500, "学院": 120, "一": 900,
        "走": 300, "来": 500, "去": 400, "很": 600, "好": 500, "向": 200, "和": 800,
        "张": 60, "小": 300, "凡": 20, "碧": 15, "瑶": 10, "青": 50, "云": 80, "门": 150,
        "两": 200, "柄": 10, "剑": 40, "马": 60, "红": 80, "俊": 20}


def domain_corpus(n_lines=400, seed=1):
    """A toy novel: names the base splits into rare characters (张小凡, 碧瑶, 青云门),
    a name always followed by one character (马红俊), function-word pairs and a numeral
    phrase, in varied contexts."""
    rng = random.Random(seed)
    names = ["张小凡", "碧瑶", "马红俊"]
    frames = ["{a}说{b}的剑很好", "今天{a}和{b}去了青云门", "{a}向{b}走来", "我看了{a}的两柄剑",
              "他的{a}是{b}", "明天{a}在学院", "{a}看{b}"]
    return [rng.choice(frames).format(a=rng.choice(names), b=rng.choice(names))
            for _ in range(n_lines)]


@pytest.fixture(scope="module")
def jieba_base():
    return Lexicon.load_jieba_default()


@pytest.fixture(scope="module")
def small_tagger(jieba_base):
    """A tagger of jieba's dictionary, small and quick (the default has 2M samples)."""
    return Segmenter.train(jieba_base, n_samples=200_000, bits=18, seed=3)


@pytest.fixture(scope="module")
def found(small_tagger, jieba_base):
    return find_new_words(domain_corpus(), jieba_base, segmenter=small_tagger,
                          include_rejected=True)


def test_names_are_accepted_and_function_pairs_are_not(found):
    accepted = set(found.accepted().words)
    assert {"张小凡", "马红俊", "青云门"} <= accepted
    for junk in ("他的", "看了", "两柄", "马红"):
        assert junk not in accepted, junk
    assert "两柄" in found.words          # a candidate, rejected as a numeral phrase
    # accepted words come first
    flags = [w.accepted for w in found]
    assert flags == sorted(flags, reverse=True)


def test_gain_matches_its_definition(found, jieba_base):
    """gain = log(count / tokens) - log p_base of the base's best split."""
    import math

    from nlpzero import Tokenizer

    w = next(w for w in found if w.word == "张小凡")
    pieces = Tokenizer(jieba_base).lcut("张小凡")
    expected = math.log(w.count / found.corpus_tokens) - sum(
        math.log(jieba_base[p] / jieba_base.total) for p in pieces)
    assert w.gain == pytest.approx(expected, abs=1e-3)


def test_fragment_and_numeral_tests():
    lines = ["马红俊说"] * 5 + ["马红俊走"] * 5 + ["两柄剑"] * 6 + ["他们来"] * 3
    tokens = Counter({"马红": 10, "马红俊": 2, "两柄": 6})
    base = Lexicon({"马": 5, "红": 5, "俊": 5, "说": 50, "走": 50, "两": 50, "柄": 5, "剑": 9,
                    "他们": 30, "来": 40})
    result = {w.word: w for w in score_candidates(lines, tokens, base, min_count=2, min_gain=0.0)}
    assert not result["马红"].accepted       # always followed by 俊, and 马红俊 is a candidate
    assert result["马红俊"].accepted
    assert not result["两柄"].accepted       # a numeral and its measure word


def test_punctuation_and_pieces_of_base_words_are_not_new_words_numbers_on_request():
    lines = (["性价比很高，2008年买的TiO2……"] * 8 + ["性价比不错。。。10个"] * 8
             + ["USB口"] * 3)
    tokens = Counter({"性价": 16, "2008年": 8, "TiO2": 8, "……": 8, "。。。": 8, "10": 8,
                      "USB": 3})
    base = Lexicon({"性价比": 40, "性": 30, "价": 30, "比": 50, "很": 90, "高": 60, "不错": 20,
                    "买": 30, "的": 900, "个": 200, "口": 30})
    for numbers in (False, True):
        result = {w.word: w for w in score_candidates(lines, tokens, base, min_count=2,
                                                      min_gain=0.0, numbers=numbers)}
        for junk in ("……", "。。。"):
            assert not result[junk].accepted, junk
        for number in ("2008年", "10"):
            assert result[number].accepted == numbers, number
        assert not result["性价"].accepted     # always followed by 比, and 性价比 is a base word
        assert result["TiO2"].accepted and result["USB"].accepted   # codes and Latin words count


def naive_occurrences(lines, strings):
    out = {}
    for s in strings:
        n, left, right = 0, Counter(), Counter()
        for line in lines:
            for m in re.finditer(f"(?={re.escape(s)})", line):
                i = m.start()
                n += 1
                if i > 0:
                    left[line[i - 1]] += 1
                if i + len(s) < len(line):
                    right[line[i + len(s)]] += 1
        if n:
            out[s] = (n, max(left.values(), default=0), max(right.values(), default=0))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="甲乙丙丁", max_size=12), max_size=8),
       st.lists(st.text(alphabet="甲乙丙丁", min_size=2, max_size=3), max_size=5))
def test_count_occurrences_matches_a_naive_count(lines, strings):
    got = count_occurrences(lines, strings)
    expected = naive_occurrences(lines, set(strings))
    assert set(got) == set(expected)
    for s, (n, left, right) in got.items():
        assert n == expected[s][0]
        assert (left[1] if left else 0) == expected[s][1]
        assert (right[1] if right else 0) == expected[s][2]


def test_save_loads_in_nlpzero_and_jieba(found, tmp_path):
    import jieba

    words = found.accepted()
    plain = tmp_path / "new.txt"
    words.save(plain)
    assert set(Lexicon.load(plain).keys()) == set(words.words)
    jieba_tk = jieba.Tokenizer()
    jieba_tk.load_userdict(str(plain))
    assert all(jieba_tk.FREQ.get(w) for w in words.words)
    scored = tmp_path / "scored.txt"
    words.save(scored, scores=True)
    first = scored.read_text(encoding="utf-8").split("\n")[0].split()
    assert first[0] == words[0].word and len(first) == 4
    assert set(Lexicon.load(scored).keys()) == set(words.words)


def test_lexicon_puts_new_words_on_the_base_scale():
    words = NewWords([NewWord("张小凡", 30, 30, 12.0, True), NewWord("他的", 50, 50, 1.0, False)],
                     corpus_tokens=300)
    lex = words.lexicon(base_total=1_000_000)
    assert dict(lex.items()) == {"张小凡": 100_000}   # 30 / 300 of the base's total


def test_bad_input():
    with pytest.raises(InputError, match="empty"):
        find_new_words(["", "  "], Lexicon(BASE), segmenter=object())
    with pytest.raises(InputError, match="Han"):
        find_new_words(["abc 123"], Lexicon(BASE), segmenter=object())
    with pytest.raises(InputError):
        find_new_words(["张小凡"], Lexicon(BASE), segmenter=object(), min_count=0)
    with pytest.raises(InputError):
        find_new_words(["张小凡"], "/no/such/dictionary.txt")


def test_adapted_segmenter_keeps_names_whole(small_tagger, jieba_base):
    corpus = domain_corpus()
    adapted = adapt_segmenter(jieba_base, corpus, segmenter=small_tagger)
    assert adapted.info["adapted"] and adapted.info["new_words"] >= 3
    assert "张小凡" in adapted.lcut("今天张小凡和碧瑶去了青云门")
    assert "青云门" in adapted.lcut("今天张小凡和碧瑶去了青云门")
    # the base tagger's lexicon is untouched
    assert "张小凡" not in small_tagger.lexicon


def test_mix_counts_gives_the_domain_its_share():
    base = Lexicon({"甲": 600, "乙": 400})
    mixed = mix_counts(base, Counter({"甲": 10, "丙": 5, "乙": 30}), domain_weight=0.5)
    assert "丙" not in mixed                        # not a word of the lexicon
    added = {w: mixed[w] - base[w] for w in base}
    assert sum(added.values()) == pytest.approx(base.total, rel=1e-3)  # half of the result
    assert added["乙"] == pytest.approx(3 * added["甲"], rel=1e-3)
    assert dict(mix_counts(base, Counter({"甲": 1}), 0.0).items()) == dict(base.items())
    with pytest.raises(InputError):
        adapt_segmenter(base, ["甲乙"], segmenter=object(), domain_weight=1.0)


def test_cli_bad_input_leaves_no_output(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "latin.txt").write_text("only latin text\n", encoding="utf-8")
    (tmp_path / "corrupt.txt").write_bytes(b"\xff\xfe word 3\n")
    (tmp_path / "corpus.txt").write_text("\n".join(domain_corpus(50)), encoding="utf-8")
    cases = [["newwords", "empty.txt", "-o", "out.txt"],
             ["newwords", "latin.txt", "-o", "out.txt"],
             ["newwords", "missing.txt", "-o", "out.txt"],
             ["newwords", "corpus.txt", "--base", "corrupt.txt", "-o", "out.txt"],
             ["newwords", "corpus.txt", "--base", "missing.txt", "-o", "out.txt"],
             ["train-segmenter", "--lexicon", "none", "-o", "out.txt"],
             ["train-segmenter", "--lexicon", "corrupt.txt", "--corpus", "corpus.txt",
              "-o", "out.txt"]]
    for args in cases:
        proc = run_cli(*args, cwd=tmp_path)
        assert proc.returncode == 1, (args, proc.stderr)
        assert len(proc.stderr.strip().splitlines()[-1]) > 10
        assert "Traceback" not in proc.stderr
        assert sorted(os.listdir(tmp_path)) == ["corpus.txt", "corrupt.txt", "empty.txt",
                                                "latin.txt"], args


def test_cli_adapts_from_the_default_dictionary(tmp_path):
    (tmp_path / "corpus.txt").write_text("\n".join(domain_corpus()), encoding="utf-8")
    from nlpzero.segmentation import default_dictionary_path

    proc = run_cli("train-segmenter", "--lexicon", default_dictionary_path(), "--corpus",
                   "corpus.txt", "--samples", "100000", "--bits", "18", "-o", "model.npz", "-q",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    model = Segmenter.load(tmp_path / "model.npz")
    assert model.info["adapted"] and "张小凡" in model.lexicon
    assert token_counts(model, ["今天张小凡和碧瑶去了青云门"])["张小凡"] == 1


def test_base_tagger_of_a_dictionary_file_is_cached(tmp_path, monkeypatch):
    from nlpzero.segmentation import adaptation

    monkeypatch.setenv("NLPZERO_CACHE_DIR", str(tmp_path / "cache"))
    Lexicon(BASE).save(tmp_path / "base.txt")
    first = adaptation.base_segmenter(str(tmp_path / "base.txt"), Lexicon(BASE),
                                      n_samples=2000, bits=12)
    cached = list((tmp_path / "cache" / "segmenters").iterdir())
    assert len(cached) == 1

    def no_training(*args, **kwargs):
        raise AssertionError("trained again instead of loading the cache")

    monkeypatch.setattr(adaptation.Segmenter, "train", no_training)
    again = adaptation.base_segmenter(str(tmp_path / "base.txt"), Lexicon(BASE),
                                      n_samples=2000, bits=12)
    assert (again.weights == first.weights).all()
    # other parameters, a changed file or a lexicon object are not served from it
    with pytest.raises(AssertionError, match="trained again"):
        adaptation.base_segmenter(str(tmp_path / "base.txt"), Lexicon(BASE), n_samples=3000,
                                  bits=12)
    with pytest.raises(AssertionError, match="trained again"):
        adaptation.base_segmenter(Lexicon(BASE), Lexicon(BASE), n_samples=2000, bits=12)
    cached[0].write_bytes(b"damaged")
    with pytest.raises(AssertionError, match="trained again"):
        adaptation.base_segmenter(str(tmp_path / "base.txt"), Lexicon(BASE), n_samples=2000,
                                  bits=12)


def test_split_numeral_phrases_keeps_the_counts():
    from nlpzero.discovery.newwords import split_numeral_phrases

    words = {"一种": 5, "三十年": 2, "种": 1, "一样好": 3, "一": 4, "十万": 7, "数据": 9}
    out = split_numeral_phrases(words)
    assert out == {"一": 9, "种": 6, "三十": 2, "年": 2, "一样好": 3, "十万": 7, "数据": 9}
    assert sum(out.values()) == sum(words.values()) + 5 + 2   # each split word counts twice


def test_reestimate_counts_counts_the_uses_of_the_best_segmentation():
    from nlpzero.discovery.newwords import reestimate_counts

    # A finder's counts: 国人 was a piece somewhere, the characters were cut alone.
    words = {"中国": 10, "人民": 10, "国人": 1, "中": 5, "国": 5, "人": 5, "民": 5}
    lines = ["中国人民", "中国人民", "人民"]
    # 中国|人民 beats 中|国人|民: the words get their uses; the unused leave.
    assert reestimate_counts(words, lines) == {"中国": 2, "人民": 3}
    assert reestimate_counts(Lexicon(words), lines) == {"中国": 2, "人民": 3}
    # nothing used (no word occurs): the words stay as they were
    assert reestimate_counts({"中国": 3, "人民": 0}, ["你好"]) == {"中国": 3}


def test_learned_base_counts_are_uses_in_the_corpus():
    from nlpzero import Tokenizer
    from nlpzero.discovery.newwords import resolve_base

    lines = domain_corpus()
    base = resolve_base("none", lines)
    # The finder keeps pieces its own cut left (张小, 马红, 剑很: once each) that the best
    # segmentation with the learned words never uses: they leave the base.
    uses = Counter(w for tokens in Tokenizer(base).cut_lines(lines) for w in tokens)
    assert all(uses[w] > 0 for w in base)


def test_learned_base_is_the_finders_lexicon_refined_once(pd_lines):
    from nlpzero.discovery import find_words, refine_lexicon
    from nlpzero.discovery.newwords import resolve_base

    lines = pd_lines[:300]
    once = refine_lexicon(find_words(lines, refine=False), lines)
    assert refine_lexicon(once, lines) != once  # so that refining twice would show
    assert resolve_base("none", lines) == once == find_words(lines)


def test_refine_lexicon_removes_what_its_words_explain(pd_lines):
    from nlpzero import Tokenizer, find_words, score
    from nlpzero.datasets import peoples_daily_gold
    from nlpzero.discovery import refine_lexicon

    lines = pd_lines[:1500]
    learned = find_words(lines, refine=False)
    refined = refine_lexicon(learned, lines)
    assert find_words(lines) == refined  # the default
    # Pairs of frequent words and numeral phrases leave.
    for pair in ("也是", "一个", "这是"):
        assert pair in learned and pair not in refined
    # Every refined word is a learned word or a part of one (nothing invented).
    assert all(w in learned or any(w in v for v in learned) for w in refined)
    # An iterator of lines is read as a list would be; so is a single text.
    assert refine_lexicon(learned, iter(lines)) == refined
    assert len(refine_lexicon(learned, "\n".join(lines[:50]))) > 0
    # And the segmentation with it is closer to the gold.
    gold = peoples_daily_gold()[:1500]

    def f1(lexicon):
        return score(gold, Tokenizer(lexicon, cache=False).cut_lines(lines)).f1
    assert f1(refined) > f1(learned) + 0.005


def test_refine_lexicon_bad_input():
    from nlpzero.discovery import refine_lexicon

    for bad in ("3", None, float("nan"), True):
        with pytest.raises(InputError, match="min_gain"):
            refine_lexicon({"中国": 2}, ["中国"], min_gain=bad)
    assert len(refine_lexicon({}, ["中国"])) == 0


def test_cli_lexicon_refine_is_the_same_in_memory_and_partitioned(tmp_path, pd_lines):
    corpus = tmp_path / "pd.txt"
    corpus.write_text("\n".join(pd_lines[:1500]) + "\n", encoding="utf-8")
    outs = {}
    for name, extra in (("plain", ["--no-refine"]), ("memory", []), ("stdin", ["-"]),
                        ("workers", ["--workers", "2"]), ("asked", ["--refine"])):
        out = tmp_path / f"{name}.txt"
        args = ["lexicon", "-q", *([] if "-" in extra else [str(corpus)]), *extra, "-o", str(out)]
        done = run_cli(*args, input=corpus.read_text(encoding="utf-8") if "-" in extra else None)
        assert done.returncode == 0, done.stderr
        outs[name] = out.read_text(encoding="utf-8")
    assert outs["memory"] == outs["stdin"] == outs["workers"] == outs["asked"] != outs["plain"]
    refined = {line.split()[0] for line in outs["memory"].splitlines()}
    assert "也是" in outs["plain"] and "也是" not in refined


def test_count_uses_over_partitions_equals_the_in_memory_count(tmp_path, pd_lines):
    from nlpzero import find_words
    from nlpzero.discovery import count_uses, refine_lexicon
    from nlpzero.discovery.newwords import reestimate_counts

    lines = pd_lines[:1500]
    corpus = tmp_path / "pd.txt"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    learned = find_words(lines)
    expected = reestimate_counts(learned, lines)
    for workers, part_bytes in ((1, None), (2, 40_000)):  # many small partitions
        assert count_uses(str(corpus), learned, workers=workers, part_bytes=part_bytes) \
            == expected
    # refine_lexicon counts the uses with it as it does in memory
    assert refine_lexicon(learned, None, uses=lambda words: count_uses(
        str(corpus), words, workers=2, part_bytes=40_000)) == refine_lexicon(learned, lines)
    with pytest.raises(InputError, match="needs the text"):
        refine_lexicon(learned, None)
    assert count_uses(str(corpus), {}) == {}
