"""Templates and parsing against naive pure-Python implementations of design notes 5."""

import json
import math
from collections import Counter
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from nlpzero.corpus import is_word_char
from nlpzero.errors import FormatError, InputError
from nlpzero.templates import (Parser, SentTree, TemplateFinder, TemplateSet, is_trivial,
                               template_text)
from cli_runs import run

# ---------------------------------------------------------------------------
# Naive references


def naive_runs(sentences):
    """Runs: maximal stretches of word tokens (punctuation cuts)."""
    runs = []
    for sent in sentences:
        cur = []
        for w in sent:
            if is_word_char(w[0]):
                cur.append(w)
            elif cur:
                runs.append(cur)
                cur = []
        if cur:
            runs.append(cur)
    return runs


def naive_counts(runs, window):
    words = Counter(w for r in runs for w in r)
    pairs = Counter((r[i], r[j]) for r in runs for i in range(len(r))
                    for j in range(i + 1, min(len(r), i + window + 1)))
    return words, pairs


def naive_strong(runs, window, min_proba, min_pmi):
    words, pairs = naive_counts(runs, window)
    nw, npairs = sum(words.values()), sum(pairs.values())
    log_min = math.log(min_proba) if min_proba > 0 else -math.inf
    out = {}
    for (a, b), c in pairs.items():
        lp = math.log(c) - math.log(npairs)
        if lp > log_min:
            pmi = lp - (math.log(words[a]) - math.log(nw)) - (math.log(words[b]) - math.log(nw))
            if pmi > min_pmi:
                out[a, b] = c
    return out


def naive_templates(runs, window, min_proba, min_pmi, filtered=True):
    strong = naive_strong(runs, window, min_proba, min_pmi)
    counts = Counter()
    for r in runs:
        n = len(r)
        succ = {i: [j for j in range(i + 1, min(n, i + window + 1)) if (r[i], r[j]) in strong]
                for i in range(n)}
        entered = {j for js in succ.values() for j in js}

        def paths(i):
            if not succ[i]:
                return [[i]]
            return [[i] + p for j in succ[i] for p in paths(j)]

        for src in range(n):
            if src in entered:
                continue
            for p in paths(src):
                t = []
                if p[0] > 0:
                    t.append(None)
                t.append(r[p[0]])
                for a, b in zip(p, p[1:]):
                    if b - a > 1:
                        t.append(None)
                    t.append(r[b])
                if p[-1] < n - 1:
                    t.append(None)
                counts[tuple(t)] += 1
    if not filtered:
        return dict(counts)
    total = sum(counts.values())
    log_min = math.log(min_proba) if min_proba > 0 else -math.inf
    return {t: c for t, c in counts.items() if math.log(c) - math.log(total) > log_min}


def matches(template, words, i, j):
    """Every way `template` covers words[i:j] exactly: tuples of the positions of its
    words (a placeholder takes one or more words)."""
    out = []

    def go(k, p, pos):
        if k == len(template):
            if p == j:
                out.append(tuple(pos))
            return
        t = template[k]
        if t is None:
            for q in range(p + 1, j + 1):
                go(k + 1, q, pos)
        elif p < j and words[p] == t:
            go(k + 1, p + 1, pos + [p])

    go(0, i, [])
    return out


def naive_best(templates, words, null_score):
    """Best score of the whole sentence by brute force over all matches."""
    total = sum(templates.values())

    @lru_cache(maxsize=None)
    def best(i, j):
        cands = []
        for t, c in templates.items():
            for pos in matches(t, words, i, j):
                s = math.log(c) - math.log(total)
                marks = [i - 1] + list(pos) + [j]
                s += sum(best(a + 1, b) for a, b in zip(marks, marks[1:]) if b > a + 1)
                cands.append(s)
        return max(cands) if cands else null_score * (j - i - 1)

    return best(0, len(words))


def tree_score(tree, templates, null_score, words):
    """Score of a tree recomputed from its parts, checking that it is a valid parse."""
    total = sum(templates.values())
    if tree.template is None:
        return null_score * (tree.end - tree.start - 1)
    assert tree.template in templates
    # the template with the children's spans in place of the placeholders gives the span
    k = 0
    pos = tree.start
    for t in tree.template:
        if t is None:
            child = tree.children[k]
            assert child.start == pos and child.end > pos
            pos = child.end
            k += 1
        else:
            assert words[pos] == t
            pos += 1
    assert pos == tree.end and k == len(tree.children)
    return math.log(templates[tree.template]) - math.log(total) + sum(
        tree_score(c, templates, null_score, words) for c in tree.children)


# ---------------------------------------------------------------------------
# Mining

words_st = st.sampled_from(["a", "b", "c", "d", "e", "中", "国", "，"])
sentences_st = st.lists(st.lists(words_st, min_size=0, max_size=12), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sentences_st, st.integers(1, 4), st.sampled_from([0.0, 0.01, 0.05]),
       st.sampled_from([-2.0, 0.0, 0.3, 1.0]))
def test_mining_matches_reference(sentences, window, min_proba, min_pmi):
    f = TemplateFinder(window=window, min_proba=min_proba, min_pmi=min_pmi)
    f.train_segmented(sentences)
    runs = naive_runs(sentences)
    words, pairs = naive_counts(runs, window)
    assert f.word_counts() == dict(words)
    if min_proba == 0:
        assert f.pair_counts() == dict(pairs)
    assert f.strong_pairs() == naive_strong(runs, window, min_proba, min_pmi)
    assert dict(f.all_templates()) == naive_templates(runs, window, min_proba, min_pmi, False)
    assert dict(f.find()) == naive_templates(runs, window, min_proba, min_pmi)


def test_mining_real_text(pd_lines):
    from nlpzero import Tokenizer, find_words

    lines = pd_lines[:600]
    tk = Tokenizer(find_words(lines))
    f = TemplateFinder(tk, min_proba=1e-4).train(lines)
    runs = naive_runs(tk.cut_lines(lines))
    expected = naive_templates(runs, 5, 1e-4, 2.0)
    got = f.find()
    assert dict(got) == expected
    assert any(not is_trivial(t) and sum(w is not None for w in t) >= 2 for t in got)
    # most frequent first
    counts = list(got.values())
    assert counts == sorted(counts, reverse=True)


def test_incremental_training_equals_one_pass(pd_lines):
    from nlpzero import Tokenizer, find_words

    lines = pd_lines[:400]
    tk = Tokenizer(find_words(lines))
    once = TemplateFinder(tk, min_proba=1e-4).train(lines).find()
    f = TemplateFinder(tk, min_proba=1e-4)
    f.train(lines[:150])
    f.find()
    f.train(lines[150:])
    assert dict(f.find()) == dict(once)
    g = TemplateFinder(min_proba=1e-4).train_segmented(list(tk.cut_lines(lines)))
    assert dict(g.find()) == dict(once)


def test_path_bound():
    # every pair strong, window 3: the paths of a run of 30 words are very many
    sent = ["a", "b", "c"] * 10
    f = TemplateFinder(window=3, min_proba=0, min_pmi=-100, max_paths=50)
    f.train_segmented([sent])
    templates = f.all_templates()
    assert f.truncated_runs == 1
    assert templates.total == 50
    g = TemplateFinder(window=3, min_proba=0, min_pmi=-100)
    g.train_segmented([sent[:9]])
    assert dict(g.all_templates()) == naive_templates([sent[:9]], 3, 0, -100, False)
    assert g.truncated_runs == 0


def test_finder_bad_input():
    with pytest.raises(InputError):
        TemplateFinder(window=0)
    with pytest.raises(InputError):
        TemplateFinder(min_proba=1.5)
    f = TemplateFinder()
    for bad in (["a b"], ["a", ""], ["x\ty"], ["a", 3]):
        with pytest.raises(InputError):
            f.train_segmented([bad])
    with pytest.raises(InputError):
        f.train_segmented(["not", "lists"])
    assert len(f.find()) == 0


# ---------------------------------------------------------------------------
# Template sets and files


def test_template_set_round_trip(tmp_path):
    ts = TemplateSet({(None, "的", None): 9, ("X", None): 3, (None, "\\a", "b"): 3, ("c",): 1})
    assert list(ts.values()) == [9, 3, 3, 1]
    path = tmp_path / "t.txt"
    ts.save(path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[1] == "X 的 X\t9\ttrivial"
    assert "\\X X\t3" in text
    back = TemplateSet.load(path)
    assert dict(back) == dict(ts) and list(back) == list(ts)
    assert template_text((None, "的", None)) == "X的X"
    assert dict(ts.nontrivial()) == {k: v for k, v in ts.items() if k != (None, "的", None)}


@pytest.mark.parametrize("content, message", [
    (b"", "not a template file"),
    (b"X \xe7\x9a\x84 X\t3\n", "not a template file"),
    (b"# nlpzero templates 1\n", "no templates"),
    (b"# nlpzero templates 1\nX a X\tthree\ttrivial\n", "positive integer"),
    (b"# nlpzero templates 1\nX a X\t3\n", "trivial"),
    (b"# nlpzero templates 1\na X\t3\ttrivial\n", "trivial"),
    (b"# nlpzero templates 1\nX X a\t3\n", "bad template"),
    (b"# nlpzero templates 1\nX\t3\n", "bad template"),
    (b"# nlpzero templates 1\na  b\t3\n", "bad template"),
    (b"# nlpzero templates 1\na\t3\na\t4\n", "repeated"),
    (b"# nlpzero templates 1\na\t0\n", "positive integer"),
    (b"# nlpzero templates 1\na 3\n", "expected"),
    (b"# nlpzero templates 1\n\xff\t3\n", "invalid UTF-8"),
    (b"# nlpzero templates 1\na\x00\t3\n", "binary"),
])
def test_template_file_errors(tmp_path, content, message):
    path = tmp_path / "t.txt"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=message):
        TemplateSet.load(path)


def test_template_set_validation():
    with pytest.raises(InputError):
        TemplateSet({(None,): 3})
    with pytest.raises(InputError):
        TemplateSet({("a b",): 3})
    with pytest.raises(InputError):
        TemplateSet({("a",): 0})
    assert TemplateSet([((None, None, "a"), 2), ((None, "a"), 1)]) == {(None, "a"): 3}


# ---------------------------------------------------------------------------
# Parsing

tpl_st = st.lists(st.sampled_from(["a", "b", "c", None]), min_size=1, max_size=4).map(tuple).filter(
    lambda t: any(x is not None for x in t))


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(tpl_st, st.integers(1, 50), min_size=1, max_size=6),
       st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=9),
       st.sampled_from([-20.0, -1.0, 0.0]))
def test_parser_matches_reference(raw, words, null_score):
    ts = TemplateSet((tuple(t), c) for t, c in raw.items())
    templates = dict(ts)
    p = Parser(ts, null_score=null_score, trivial=True)
    tree = p.parse_words(words)
    expected = naive_best(templates, words, null_score)
    assert tree.score == pytest.approx(expected, abs=1e-9)
    assert tree_score(tree, templates, null_score, words) == pytest.approx(expected, abs=1e-9)
    assert (tree.start, tree.end) == (0, len(words))


def test_parser_real_text(pd_lines):
    from nlpzero import Tokenizer, find_words

    lines = pd_lines[:800]
    tk = Tokenizer(find_words(lines))
    ts = TemplateFinder(tk, min_proba=1e-4).train(lines).find().nontrivial()
    p = Parser(ts, tk)
    templates = dict(ts)
    checked = 0
    for line in pd_lines[800:1000]:
        for clause in line.replace("，", "。").split("。"):
            words = [w for w in tk.lcut(clause) if w.strip()]
            if not 1 <= len(words) <= 9:
                continue
            tree = p.parse_words(words)
            expected = naive_best(templates, words, -20.0)
            assert tree.score == pytest.approx(expected, abs=1e-9)
            assert tree_score(tree, templates, -20.0, words) == pytest.approx(expected, abs=1e-9)
            checked += 1
    assert checked > 20


def test_parser_workspace_growth(pd_lines):
    """A workspace too small for a sentence is grown and the sentence parsed again."""
    import numpy as np

    from nlpzero import Tokenizer, find_words

    lines = pd_lines[:300]
    tk = Tokenizer(find_words(lines))
    ts = TemplateFinder(tk, min_proba=1e-4).train(lines).find().nontrivial()
    roomy = Parser(ts, tk)
    tight = Parser(ts, tk)
    where, closed, closed_score, _, _, _ = tight._work
    tight._work = (where, closed, closed_score, np.empty((3, 1), dtype=np.int64),
                   np.empty(1), np.empty((2, 1), dtype=np.int64))
    for line in pd_lines[300:320]:
        a, b = roomy.parse(line), tight.parse(line)
        assert a.to_dict() == b.to_dict()
    assert tight._work[3].shape[1] > 1 and tight._work[5].shape[1] > 1
    assert (tight._work[0] == -1).all()


def test_sent_tree_rendering():
    p = Parser({(None, "可以", None, "吗"): 5, (None, "的", None): 9, ("好", None): 2})
    tree = p.parse_words(["鸡蛋", "可以", "吃", "吗"])
    assert tree.render() == "(鸡蛋)可以(吃)吗\n  鸡蛋\n  吃"
    assert tree.template == (None, "可以", None, "吗")
    d = json.loads(tree.to_json())
    assert d["template"] == [None, "可以", None, "吗"]
    assert [c["words"] for c in d["children"]] == [["鸡蛋"], ["吃"]]
    # the trivial X的X is left out unless asked for
    assert p.parse_words(["我", "的", "书"]).template is None
    q = Parser({(None, "的", None): 9}, trivial=True)
    assert str(q.parse_words(["我", "的", "书"])) == "(我)的(书)\n  我\n  书"
    assert isinstance(p.parse_words([]), SentTree) and p.parse_words([]).render() == ""
    with pytest.raises(InputError):
        Parser({(None, "的", None): 9})  # only trivial templates


# ---------------------------------------------------------------------------
# Command line


@pytest.fixture
def mined(tmp_path, pd_lines, capsys):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(pd_lines[:500]) + "\n", encoding="utf-8")
    lex = tmp_path / "lex.txt"
    assert run(["lexicon", str(corpus), "-o", str(lex), "-q"], capsys)[0] == 0
    out = tmp_path / "templates.txt"
    code, _, _ = run(["templates", str(corpus), "--lexicon", str(lex), "-o", str(out), "-q",
                      "--min-proba", "1e-4"], capsys)
    assert code == 0
    return corpus, lex, out


def test_cli_templates_and_parse(mined, tmp_path, capsys):
    corpus, lex, out = mined
    ts = TemplateSet.load(out)
    assert len(ts.nontrivial()) > 10
    few = tmp_path / "few.txt"  # parsing long lines is slow without JIT
    few.write_text("\n".join(corpus.read_text(encoding="utf-8").splitlines()[:20]) + "\n",
                   encoding="utf-8")
    code, text, _ = run(["parse", "--templates", str(out), "--lexicon", str(lex), str(few),
                         "-q"], capsys)
    assert code == 0
    trees = text.split("\n\n")
    assert len(trees) == 21 and trees[-1] == ""
    code, text, _ = run(["parse", "--templates", str(out), "--lexicon", str(lex), str(few),
                         "-q", "--json"], capsys)
    assert code == 0
    rows = [json.loads(line) for line in text.splitlines()]
    source = few.read_text(encoding="utf-8").splitlines()
    assert [r["text"] for r in rows] == ["".join(line.split()) for line in source]


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "no such file"),
    (lambda p: p.write_bytes(b""), "not a template file"),
    (lambda p: p.write_bytes(b"\x00\x01\x02binary"), "binary"),
    (lambda p: p.write_bytes(b"# nlpzero templates 1\nX a\tmany\n"), "positive integer"),
])
def test_cli_parse_bad_templates(mined, tmp_path, capsys, make, message):
    corpus, lex, _ = mined
    bad = tmp_path / "bad.txt"
    make(bad)
    target = tmp_path / "out.txt"
    code, out, err = run(["parse", "--templates", str(bad), "--lexicon", str(lex), str(corpus),
                          "-o", str(target), "-q"], capsys)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("nlpzero parse: error:") and message in err
    assert not target.exists()


@pytest.mark.parametrize("content", [None, b"", b"\xff\xfe bad utf-8\n"])
def test_cli_templates_bad_corpus(tmp_path, capsys, content):
    corpus = tmp_path / "c.txt"
    if content is not None:
        corpus.write_bytes(content)
    lex = tmp_path / "lex.txt"
    lex.write_text("中国 3\n人民 2\n", encoding="utf-8")
    target = tmp_path / "t.txt"
    code, out, err = run(["templates", str(corpus), "--lexicon", str(lex), "-o", str(target),
                          "-q"], capsys)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("nlpzero templates: error:")
    assert not target.exists()


@given(st.lists(st.integers(0, 12), max_size=8), st.integers(1, 6))
def test_n_pairs_counts_the_skip_grams_inside_the_runs(lengths, window):
    from nlpzero.templates.mining import _n_pairs

    bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    naive = sum(1 for n in lengths for i in range(n) for j in range(i + 1, n) if j - i <= window)
    assert _n_pairs(bounds, window) == naive
