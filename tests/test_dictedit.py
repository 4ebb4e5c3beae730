"""Dictionary edits (add_word, del_word, suggest_freq, load_userdict) with jieba's meaning."""

import io
import random

import pytest
from hypothesis import given, settings, strategies as st

from nlpzero.segmentation.dictedit import best_split, is_han, read_userdict
from nlpzero.errors import FormatError
from nlpzero.lexicon import Lexicon
from nlpzero.segmentation.tokenizer import Tokenizer

HAN_CHARS = "中国人民日报的了是𠀀"
words_strategy = st.dictionaries(st.text(alphabet=HAN_CHARS, min_size=1, max_size=4),
                                 st.integers(0, 50), min_size=1, max_size=25)
edits_strategy = st.lists(st.tuples(st.text(alphabet=HAN_CHARS, min_size=1, max_size=4),
                                    st.one_of(st.none(), st.integers(0, 60))), max_size=25)
text_strategy = st.text(alphabet=HAN_CHARS + "ab12，\n", max_size=40)


def _nonempty(counts):
    if sum(counts.values()) == 0:
        counts[next(iter(counts))] = 1
    return counts


@settings(max_examples=150, deadline=None)
@given(counts=words_strategy, edits=edits_strategy, text=text_strategy)
def test_edits_segment_as_the_edited_dictionary_at_once(counts, edits, text):
    tk = Tokenizer(Lexicon(_nonempty(counts)))
    tk.lcut(text)  # the trie exists before the edits
    expected = dict(counts)
    for word, freq in edits:
        if freq is None:
            freq = tk.suggest_freq(word)
            assert freq >= 1
        if freq == 0:
            tk.del_word(word)
            expected.pop(word, None)
        else:
            tk.add_word(word, freq)
            expected[word] = freq
    assert dict(tk.lexicon.items()) == {w: c for w, c in expected.items() if w in tk.lexicon}
    assert all(c == 0 for w, c in expected.items() if w not in tk.lexicon)
    if sum(expected.values()):
        assert tk.lcut(text) == Tokenizer(Lexicon(expected)).lcut(text)


@settings(max_examples=150, deadline=None)
@given(counts=words_strategy, run=st.text(alphabet=HAN_CHARS, min_size=1, max_size=12))
def test_best_split_is_the_kernels_segmentation(counts, run):
    lexicon = Lexicon(_nonempty(counts))
    assert best_split(run, lexicon.get, lexicon.total) == Tokenizer(lexicon).lcut(run)


def test_add_word_joins_and_del_word_splits():
    tk = Tokenizer({"中": 10, "国": 10, "人": 10})
    assert tk.lcut("中国人") == ["中", "国", "人"]
    tk.add_word("中国人")
    assert tk.lcut("中国人") == ["中国人"]
    # The suggested count is the least that wins: one less loses to the parts.
    count = tk.lexicon["中国人"]
    assert count == int((10 / 30) ** 3 * 30) + 1 == 2
    tk.add_word("中国人", count - 1)
    assert tk.lcut("中国人") == ["中", "国", "人"]
    tk.del_word("中国人")
    assert "中国人" not in tk.lexicon
    assert tk.lcut("中国人") == ["中", "国", "人"]
    tk.del_word("中国人")  # absent: no error
    tk = Tokenizer({"中": 0, "国": 1})
    tk.del_word("中")  # a word of count 0 goes too
    assert "中" not in tk.lexicon
    with pytest.raises(Exception):
        tk.add_word("中国人", -1)


def test_suggest_freq_of_a_tuple_splits():
    tk = Tokenizer({"中": 10, "将": 10, "中将": 100, "了": 5})
    assert tk.lcut("中将") == ["中将"]
    assert tk.suggest_freq(("中", "将"), tune=True) == 0  # 10/125 * 10/125 * 125 -> 0
    assert tk.lcut("中将") == ["中", "将"]
    assert tk.suggest_freq(("中", "了")) == 0  # no word: 0


@pytest.fixture(scope="module")
def jieba_pair():
    """A jieba tokenizer and ours on jieba's dictionary, and words from real text."""
    jieba = pytest.importorskip("jieba")
    theirs = jieba.Tokenizer()
    theirs.initialize()
    return theirs, Tokenizer()


def _pieces(lines, n, seed=1):
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        line = rng.choice(lines)
        if len(line) > 8:
            i = rng.randrange(len(line) - 6)
            piece = line[i:i + rng.randint(2, 6)]
            if is_han(piece):
                out.append(piece)
    return out


def test_suggest_freq_equals_jiebas(jieba_pair, pd_lines):
    theirs, ours = jieba_pair
    words = _pieces(pd_lines, 800)
    assert [ours.suggest_freq(w) for w in words] == [theirs.suggest_freq(w) for w in words]
    splits = [(w[:1], w[1:]) for w in words] + [(w[:2], w[2:]) for w in words if len(w) > 2]
    assert [ours.suggest_freq(s) for s in splits] == [theirs.suggest_freq(s) for s in splits]


def test_added_words_get_jiebas_counts_and_segment_as_built_at_once(pd_lines):
    jieba = pytest.importorskip("jieba")
    theirs = jieba.Tokenizer()
    theirs.initialize()
    ours = Tokenizer()
    words = [w for w in dict.fromkeys(_pieces(pd_lines, 400, seed=2)) if w not in theirs.FREQ
             or not theirs.FREQ[w]]
    for word in words:  # each count suggested given the words added before
        theirs.add_word(word)
        ours.add_word(word)
    assert [ours.lexicon[w] for w in words] == [theirs.FREQ[w] for w in words]
    assert ours.lexicon.total == theirs.total
    at_once = Tokenizer(Lexicon(dict(ours.lexicon.items())))
    for line in pd_lines[:300]:
        assert ours.lcut(line) == at_once.lcut(line)


def test_load_userdict_as_jieba(tmp_path):
    jieba = pytest.importorskip("jieba")
    theirs = jieba.Tokenizer()
    theirs.initialize()
    path = tmp_path / "user.txt"
    path.write_text("\ufeff云计算 5\n创新办 3 i\n凱特琳 nz\n台中\n\n# a comment\n韩玉赏鉴 8\r\n",
                    encoding="utf-8")
    ours = Tokenizer()
    ours.load_userdict(str(path))
    lines = [l for l in path.read_text(encoding="utf-8").splitlines() if not l.startswith("#")]
    # jieba reads no comments; give it the same lines without one.
    theirs.load_userdict(io.BytesIO("\n".join(lines).encode("utf-8")))
    for word in ("云计算", "创新办", "凱特琳", "台中", "韩玉赏鉴"):
        assert ours.lexicon[word] == theirs.FREQ[word], word
    assert ours.lexicon["云计算"] == 5 and ours.lexicon["韩玉赏鉴"] == 8
    text = "李小福是创新办主任也是云计算方面的专家，台中韩玉赏鉴"
    assert ours.lcut(text) == theirs.lcut(text, HMM=False)
    # An open file works too, and a text one.
    other = Tokenizer({"中": 1})
    with open(path, encoding="utf-8") as f:
        other.load_userdict(f)
    assert other.lexicon["云计算"] == 5


def test_read_userdict(tmp_path):
    assert list(read_userdict(io.StringIO("a 3 n\nb x\nc\n# d 4\n e  7 \n"))) == [
        ("a", 3), ("b", None), ("c", None), ("e", 7)]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok 1\n\xff\xfe 2\n")
    with pytest.raises(FormatError, match="line 2"):
        list(read_userdict(str(bad)))
