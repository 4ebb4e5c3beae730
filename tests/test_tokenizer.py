"""The Numba unigram tokenizer against a pure-Python reference."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from nlpzero.corpus import CHAR_CLASS, DIGIT, HAN, LATIN, NUMBER_UNITS, POINT, RUN_PUNCTUATION
from nlpzero.lexicon import Lexicon
from nlpzero.tokenizer import Tokenizer


def reference_cut(text, counts):
    """Obviously-correct segmentation: atoms by class, Han runs by a forward DP over
    every substring, ties going to the shorter first word, exactly like the kernel."""
    total = sum(c for c in counts.values())
    logp = {w: (math.log(c) - math.log(total) if c > 0 else -math.inf) for w, c in counts.items()}
    unk = -math.log(total)
    out, i, n = [], 0, len(text)
    cls = [int(CHAR_CLASS[ord(ch)]) for ch in text]
    while i < n:
        if cls[i] == HAN:
            j = i
            while j < n and cls[j] == HAN:
                j += 1
            out.extend(_reference_run(text[i:j], logp, unk))
            i = j
        elif cls[i] == DIGIT:
            j = i + 1
            while j < n and (cls[j] == DIGIT or (cls[j] == POINT and j + 1 < n and cls[j + 1] == DIGIT)):
                j += 2 if cls[j] == POINT else 1
            if j < n and text[j] in NUMBER_UNITS:
                j += 1
            out.append(text[i:j])
            i = j
        elif cls[i] == LATIN:
            j = i + 1
            while j < n and cls[j] == LATIN:
                j += 1
            out.append(text[i:j])
            i = j
        else:
            j = i + 1
            while text[i] in RUN_PUNCTUATION and j < n and text[j] == text[i]:
                j += 1
            out.append(text[i:j])
            i = j
    return out


def _reference_run(run, logp, unk):
    n = len(run)
    best = [0.0] * (n + 1)
    nxt = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        top, arg = max(logp.get(run[i], -math.inf), unk) + best[i + 1], i + 1
        for j in range(i + 2, n + 1):
            w = run[i:j]
            if w in logp and logp[w] > -math.inf and logp[w] + best[j] > top:
                top, arg = logp[w] + best[j], j
        best[i], nxt[i] = top, arg
    words, i = [], 0
    while i < n:
        words.append(run[i:nxt[i]])
        i = nxt[i]
    return words


HAN_CHARS = "中国人民日报的了是𠀀"
words_strategy = st.dictionaries(st.text(alphabet=HAN_CHARS, min_size=1, max_size=5),
                                 st.integers(0, 50), min_size=1, max_size=30)
text_strategy = st.text(alphabet=HAN_CHARS + "ab12３.．·/， \n年月％——……", max_size=60)


@settings(max_examples=150, deadline=None)
@given(counts=words_strategy, text=text_strategy)
def test_matches_reference(counts, text):
    if sum(counts.values()) == 0:
        counts[next(iter(counts))] = 1
    tk = Tokenizer(Lexicon(counts))
    assert tk.lcut(text) == reference_cut(text, counts)


def test_matches_reference_on_real_text(pd_lines, jieba_dict_path):
    lexicon = Lexicon.load(jieba_dict_path)
    counts = dict(lexicon.items())
    tk = Tokenizer(lexicon)
    for line in pd_lines[:200]:
        assert tk.lcut(line) == reference_cut(line, counts)


def test_every_character_is_covered_once():
    tk = Tokenizer({"中国": 5, "人民": 3})
    text = "  中国人民，iPhone 3.14元\t𠀀\r\n"
    tokens = list(tk.tokenize(text))
    assert "".join(w for w, _, _ in tokens) == text
    assert all(text[a:b] == w for w, a, b in tokens)
    assert [w for w, _, _ in tokens if not w.isspace()] == [
        "中国", "人民", "，", "iPhone", "3.14", "元", "𠀀"]


def test_atoms_are_never_glued_or_split():
    tk = Tokenizer({"年": 5, "年代": 9, "１９９８": 100})
    assert tk.lcut("１９９８年代") == ["１９９８年", "代"]
    assert tk.lcut("３·５％的10:30，1/2——好……") == ["３·５％", "的", "10:30", "，", "1/2", "——", "好", "……"]
    tk = Tokenizer({"年": 5, "年代": 9, "１９９８": 100}, number_units=False)
    assert tk.lcut("１９９８年代") == ["１９９８", "年代"]
    assert tk.lcut("3.14.") == ["3.14", "."]
    assert tk.lcut("192.168.0.1") == ["192.168.0.1"]  # inner points only
    assert tk.lcut(".5") == [".", "5"]
    assert tk.lcut("ＡＢＣ文") == ["ＡＢＣ", "文"]


def test_cut_lines_matches_lcut_without_spaces(pd_lines):
    tk = Tokenizer()
    lines = pd_lines[:500] + ["", "  ", "中国 人民", "\u3000开头"]
    batch = list(tk.cut_lines(lines))
    assert batch == [[w for w in tk.lcut(l) if not w.isspace()] for l in lines]


def test_cut_lines_batches(monkeypatch, pd_lines):
    import nlpzero.tokenizer as tokenizer

    tk = Tokenizer()
    whole = list(tk.cut_lines(pd_lines[:100]))
    monkeypatch.setattr(tokenizer, "BATCH_CHARS", 50)
    assert list(tk.cut_lines(pd_lines[:100])) == whole


def test_jieba_like_editing():
    tk = Tokenizer({"中": 10, "国": 10, "人": 10})
    assert tk.lcut("中国人") == ["中", "国", "人"]
    tk.add_word("中国人")
    assert tk.lcut("中国人") == ["中国人"]
    tk.del_word("中国人")
    assert tk.lcut("中国人") == ["中", "国", "人"]


def test_userdict(tmp_path):
    path = tmp_path / "user.txt"
    path.write_text("中国人 50\n", encoding="utf-8")
    tk = Tokenizer({"中": 10, "国": 10, "人": 10})
    tk.load_userdict(str(path))
    assert tk.lcut("中国人") == ["中国人"]


def test_default_dictionary_segments():
    assert Tokenizer().lcut("中华人民共和国成立了") == ["中华人民共和国", "成立", "了"]


def test_bad_arguments():
    tk = Tokenizer({"中": 1})
    with pytest.raises(TypeError):
        tk.lcut(b"bytes")
    with pytest.raises(Exception):
        Tokenizer({"中": 0}).lcut("中")
