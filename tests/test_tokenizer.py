"""The Numba unigram tokenizer against a pure-Python reference."""

import math
import os

import pytest
from hypothesis import given, settings, strategies as st

from nlpzero.corpus import CHAR_CLASS, HAN
from nlpzero.errors import InputError
from nlpzero.lexicon import Lexicon
from nlpzero.segmentation import Tokenizer
from test_kernels import reference_join_dotted, reference_token_end


def reference_model(counts):
    """Log-probabilities of the words, the score of an unknown character, and the
    length of the longest word."""
    total = sum(c for c in counts.values())
    logp = {w: (math.log(c) - math.log(total) if c > 0 else -math.inf) for w, c in counts.items()}
    return logp, -math.log(total), max(map(len, logp), default=1)


def reference_cut(text, counts, model=None):
    """Obviously-correct segmentation: atoms by the plain rules of test_kernels, Han runs
    by a forward DP over every substring, ties going to the shorter first word, exactly
    like the kernel, then the interpuncts of names joined as test_kernels does."""
    logp, unk, max_len = model or reference_model(counts)
    out, i, n = [], 0, len(text)
    cls = [int(CHAR_CLASS[ord(ch)]) for ch in text]
    while i < n:
        if cls[i] == HAN:
            j = i
            while j < n and cls[j] == HAN:
                j += 1
            out.extend(_reference_run(text[i:j], logp, unk, max_len))
            i = j
        else:
            j = reference_token_end(text, i)
            out.append(text[i:j])
            i = j
    return reference_join_dotted(out)


def _reference_run(run, logp, unk, max_len):
    n = len(run)
    best = [0.0] * (n + 1)
    nxt = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        top, arg = max(logp.get(run[i], -math.inf), unk) + best[i + 1], i + 1
        # No substring longer than the longest word can be a word.
        for j in range(i + 2, min(n, i + max_len) + 1):
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
text_strategy = st.text(alphabet=HAN_CHARS + "ab12３.．·/， \n年月％——……-—", max_size=60)


@settings(max_examples=150, deadline=None)
@given(counts=words_strategy, text=text_strategy)
def test_matches_reference(counts, text):
    if sum(counts.values()) == 0:
        counts[next(iter(counts))] = 1
    tk = Tokenizer(Lexicon(counts))
    assert tk.lcut(text) == reference_cut(text, counts)


def test_matches_reference_on_real_text(pd_lines, jieba_dict_path):
    lexicon = Lexicon.load(jieba_dict_path)
    model = reference_model(dict(lexicon.items()))
    tk = Tokenizer(lexicon)
    for line in pd_lines[:200]:
        assert tk.lcut(line) == reference_cut(line, None, model)


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


def test_codes_with_hyphens_and_list_markers_are_atoms():
    tk = Tokenizer({"疫苗": 5, "要": 5, "他": 5, "考": 5, "了": 5})
    assert tk.lcut("COVID-19疫苗") == ["COVID-19", "疫苗"]
    assert tk.lcut("ＣＤ—ＲＯＭ，Ｆ—１６") == ["ＣＤ—ＲＯＭ", "，", "Ｆ—１６"]
    assert tk.lcut("A——B") == ["A", "——", "B"]        # a dash is no hyphen
    assert tk.lcut("１９９７—１９９８") == ["１９９７", "—", "１９９８"]  # a range of numbers
    assert tk.lcut("L-疫苗") == ["L", "-", "疫苗"]      # a hyphen joins letters and digits only
    assert tk.lcut("１．要") == ["１．", "要"]           # a list marker...
    assert tk.lcut("。12.要") == ["。", "12.", "要"]
    assert tk.lcut("他考了90.") == ["他", "考", "了", "90", "."]  # ... not a number ending a sentence
    assert tk.lcut("1.5.") == ["1.5", "."]
    assert tk.lcut("1...") == ["1", "..."]


def test_a_transliterated_name_is_one_token():
    tk = Tokenizer({"总统": 5, "说": 5, "甘地": 5, "学习": 5})
    assert tk.lcut("总统拉吉夫·甘地说") == ["总统", "拉", "吉", "夫·甘地", "说"]
    assert tk.lcut("3·5，A·B，··") == ["3·5", "，", "A", "·", "B", "，", "··"]


def test_a_year_keeps_its_unit_and_a_count_of_years_does_not():
    tk = Tokenizer({"年代": 5, "的": 5, "里": 5})
    assert tk.lcut("１９９８年的３年里") == ["１９９８年", "的", "３", "年", "里"]
    assert tk.lcut("９０年代，3.5年，３０秒，１２月") == ["９０", "年代", "，", "3.5", "年", "，", "３０",
                                                   "秒", "，", "１２月"]


def test_cut_lines_matches_lcut_without_spaces(pd_lines):
    tk = Tokenizer()
    lines = pd_lines[:500] + ["", "  ", "中国 人民", "\u3000开头"]
    batch = list(tk.cut_lines(lines))
    assert batch == [[w for w in tk.lcut(l) if not w.isspace()] for l in lines]


def test_cut_lines_batches(monkeypatch, pd_lines):
    import nlpzero.segmentation.tokenizer as tokenizer

    tk = Tokenizer()
    whole = list(tk.cut_lines(pd_lines[:100]))
    monkeypatch.setattr(tokenizer, "BATCH_CHARS", 50)
    assert list(tk.cut_lines(pd_lines[:100])) == whole


def reference_word_counts(tk, lines, words):
    """count_words, obviously: a Counter of the tokens of cut_lines, read at the words
    of the lexicon (0 for the others)."""
    from collections import Counter

    tokens = Counter(w for line in tk.cut_lines(lines) for w in line)
    return [tokens[w] if tk.lexicon.get(w, 0) > 0 else 0 for w in words]


@settings(max_examples=150, deadline=None)
@given(counts=words_strategy, lines=st.lists(text_strategy, max_size=6),
       extra=st.lists(st.text(alphabet=HAN_CHARS + "ab1年", min_size=1, max_size=4), max_size=5))
def test_count_words_matches_reference(counts, lines, extra):
    if sum(counts.values()) == 0:
        counts[next(iter(counts))] = 1
    tk = Tokenizer(Lexicon(counts))
    # The lexicon's words, inner paths of its trie, words it lacks and atoms.
    words = list(counts) + extra + ["1", "ab", "年"]
    lines = [line.replace("\n", "") for line in lines]
    assert tk.count_words(lines, words).tolist() == reference_word_counts(tk, lines, words)


def test_count_words_on_real_text(monkeypatch, pd_lines, jieba_dict_path):
    import nlpzero.segmentation.tokenizer as tokenizer

    tk = Tokenizer(jieba_dict_path)
    words = tk.lexicon.keys()[:20000] + ["１９９８年", "，", "不是词语"]
    want = reference_word_counts(tk, pd_lines, words)
    assert sum(want) > 10000
    assert tk.count_words(pd_lines, words).tolist() == want
    monkeypatch.setattr(tokenizer, "BATCH_CHARS", 500)  # many batches, same counts
    assert tk.count_words(iter(pd_lines), words).tolist() == want
    assert tk.count_words([], words).tolist() == [0] * len(words)
    assert tk.count_words(pd_lines, []).tolist() == []
    with pytest.raises(InputError, match="newline"):
        tk.count_words(pd_lines, ["中国\n人民"])


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


# ---------------------------------------------------------------------------
# Building the trie straight from a lexicon file


import numpy as np  # noqa: E402

from nlpzero import lexicon as lexicon_module  # noqa: E402
from nlpzero.segmentation import tokenizer as tokenizer_module  # noqa: E402
from nlpzero._kernels.tokens import trie_child  # noqa: E402
from nlpzero.corpus import code_points  # noqa: E402
from nlpzero.errors import FormatError  # noqa: E402
from nlpzero.lexicon import MAX_COUNT  # noqa: E402
from inner import call_inner  # noqa: E402


def reference_trie(words, counts):
    """Obviously-correct trie content: every prefix of a word is a node, and a word's
    node holds the sum of its counts."""
    nodes = {}
    for word, count in zip(words, counts):
        for i in range(1, len(word)):
            nodes.setdefault(word[:i], -1)
        nodes[word] = count if nodes.get(word, -1) < 0 else nodes[word] + count
    return nodes


def walk(table, root, word):
    node = 0
    for ch in word:
        node = call_inner(trie_child, table, root, node, ord(ch))
        if node < 0:
            return -1
    return node


trie_words = st.lists(st.text(alphabet=HAN_CHARS + "ab", min_size=1, max_size=5), max_size=40)


@settings(max_examples=150, deadline=None)
@given(words=trie_words, data=st.data())
def test_build_trie_matches_reference(words, data):
    counts = data.draw(st.lists(st.integers(0, 10**6), min_size=len(words), max_size=len(words)))
    table, root, node_count, n_repeats = tokenizer_module._build_trie(
        code_points("\n".join(words)), np.array(counts, dtype=np.int64))
    expected = reference_trie(words, counts)
    assert len(node_count) == len(expected) + 1  # and the root
    assert n_repeats == len(words) - len(set(words))
    nodes = {prefix: walk(table, root, prefix) for prefix in expected}
    assert len(set(nodes.values())) == len(nodes) and min(nodes.values(), default=1) > 0
    assert {p: int(node_count[n]) for p, n in nodes.items()} == expected


def test_build_trie_refuses_sums_above_the_maximum():
    cps = code_points("中\n国\n中")
    counts = np.array([MAX_COUNT, 1, 1], dtype=np.int64)
    assert tokenizer_module._build_trie(cps, counts)[3] == -1
    assert tokenizer_module._build_trie(cps, counts - 1)[3] == 1


regular_words = st.text(st.sampled_from("中国人民a#/é𠀀0-+\x7f"), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(entries=st.lists(st.tuples(regular_words, st.integers(0, 10**18 - 1)), min_size=1,
                        max_size=30),
       width=st.integers(1, 3), crlf=st.booleans(), bom=st.booleans())
def test_decode_entries_matches_reference(entries, width, crlf, bom):
    end = "\r\n" if crlf else "\n"
    text = "".join(" ".join([w, str(c), "n"][:width]) + end for w, c in entries)
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    layout = lexicon_module.regular_layout(data, "lex.txt")
    if layout is None:  # a word starting with "#" reads as a comment
        assert any(w.startswith("#") for w, _ in entries)
        return
    cps, counts, ok = tokenizer_module._decode_entries(*layout)
    assert ok
    assert cps.tobytes().decode("utf-32-le") == "\n".join(w for w, _ in entries)
    assert counts.tolist() == [c if width > 1 else 1 for _, c in entries]


@pytest.mark.parametrize("count", ["12a", "-3", "+3", "1234567890123456789", "٣"])
def test_decode_entries_leaves_odd_counts_to_the_careful_parser(count):
    data = f"中国 12\n人民 {count}\n".encode("utf-8")
    assert not tokenizer_module._decode_entries(*lexicon_module.regular_layout(data, "x"))[2]


def test_from_a_file_as_from_its_lexicon(jieba_dict_path, pd_lines):
    from_file = Tokenizer(jieba_dict_path)
    from_lexicon = Tokenizer(Lexicon.load(jieba_dict_path))
    for a, b in zip(from_file._trie(), from_lexicon._trie()):
        assert np.array_equal(a, b)  # the same trie, node for node
    assert [from_file.lcut(line) for line in pd_lines[:100]] == [
        from_lexicon.lcut(line) for line in pd_lines[:100]]
    assert from_file._lexicon is None  # made only when asked for
    assert from_file.lexicon == from_lexicon.lexicon
    assert list(from_file.lexicon) == list(from_lexicon.lexicon)
    assert Tokenizer().lcut("中华人民共和国") == from_lexicon.lcut("中华人民共和国")


@pytest.mark.parametrize("text", [
    "中国 3\n人民 2\n中国 4\n",       # a repeat: counts add up
    "中国 3 n\r\n人民 2 v\r\n",       # CRLF
    "\ufeff中国\n人民\n",             # BOM, no counts
    "中国  3\n# comment\n\n人民 2\n",  # irregular
    "中国\t3\n人民 2",                # irregular, no final newline
])
def test_files_of_every_kind(tmp_path, text):
    path = tmp_path / "lex.txt"
    path.write_bytes(text.encode("utf-8"))
    tk = Tokenizer(str(path))
    expected = Lexicon.load(path)
    assert tk.lexicon == expected and list(tk.lexicon) == list(expected)
    assert tk.lexicon.total == expected.total
    reference = Tokenizer(expected)
    for a, b in zip(tk._trie(), reference._trie()):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("text", [
    "中国 3\n人民 x\n",
    f"中国 {MAX_COUNT}\n人民 1\n中国 1\n",
    "中国 3\n人民 1\x00\n",
    "中国 3\n人民 \xff\n",
    "",
])
def test_file_errors_are_the_lexicon_loaders(tmp_path, text):
    path = tmp_path / "lex.txt"
    path.write_bytes(text.encode("utf-8", "surrogateescape") if "\xff" not in text
                     else text.encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    with pytest.raises(FormatError) as expected:
        Lexicon.load(path)
    with pytest.raises(FormatError) as got:
        Tokenizer(path)
    assert str(got.value) == str(expected.value)


# ---------------------------------------------------------------------------
# The cache of compiled tries


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("NLPZERO_CACHE_DIR", str(folder))
    return folder


def lexicon_file(tmp_path, text="中国 30 ns\n人民 20 n\n中 5 n\n国 4 n\n人 3 n\n民 2 n\n"):
    path = tmp_path / "lex.txt"
    path.write_text(text, encoding="utf-8")
    return path


def same_trie(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a._trie(), b._trie()))


def test_cache_is_written_then_used(tmp_path, cache_dir, monkeypatch):
    path = lexicon_file(tmp_path)
    first = Tokenizer(path)
    files = list(cache_dir.iterdir())
    assert len(files) == 1 and files[0].suffix == ".npz"

    def refuse(*args):
        raise AssertionError("the lexicon file was read again")

    monkeypatch.setattr(tokenizer_module, "read_bytes", refuse)
    second = Tokenizer(str(path))
    assert same_trie(first, second)
    assert second.lexicon == Lexicon.load(path)
    assert second.lcut("中国人民") == ["中国", "人民"]


def test_cache_of_the_default_dictionary(cache_dir, jieba_dict_path):
    built = Tokenizer()  # builds, then writes the cache file
    assert len(list(cache_dir.iterdir())) == 1
    cached = Tokenizer()
    assert same_trie(built, cached) and cached.lexicon == Lexicon.load(jieba_dict_path)


def test_stale_cache_is_rebuilt(tmp_path, cache_dir):
    path = lexicon_file(tmp_path)
    assert Tokenizer(path).lcut("中国人民") == ["中国", "人民"]
    lexicon_file(tmp_path, "中国人民 99\n中国 30\n人民 20\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # surely a new mtime
    assert Tokenizer(path).lcut("中国人民") == ["中国人民"]
    assert Tokenizer(path).lexicon["中国人民"] == 99  # from the rewritten cache


@pytest.mark.parametrize("damage", ["garbage", "truncated", "out_of_range", "empty"])
def test_damaged_cache_is_ignored_and_rewritten(tmp_path, cache_dir, damage):
    path = lexicon_file(tmp_path)
    expected = Tokenizer(path, cache=False)
    Tokenizer(path)
    (cache_file,) = cache_dir.iterdir()
    data = cache_file.read_bytes()
    if damage == "garbage":
        cache_file.write_bytes(b"not a zip file\n" * 100)
    elif damage == "truncated":
        cache_file.write_bytes(data[:len(data) // 2])
    elif damage == "empty":
        cache_file.write_bytes(b"")
    else:
        with np.load(cache_file, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        arrays["values"] = arrays["values"] + 1000  # nodes that do not exist
        with open(cache_file, "wb") as f:
            np.savez(f, **arrays)
    assert same_trie(Tokenizer(path), expected)
    assert tokenizer_module._read_cache(str(cache_file), tokenizer_module._file_stamp(path))
    assert same_trie(Tokenizer(path), expected)


def test_cache_off_and_unwritable(tmp_path, monkeypatch):
    path = lexicon_file(tmp_path)
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    monkeypatch.setenv("NLPZERO_CACHE_DIR", str(blocker / "cache"))  # cannot be made
    assert Tokenizer(path).lcut("中国人民") == ["中国", "人民"]
    monkeypatch.setenv("NLPZERO_CACHE_DIR", str(tmp_path / "cache"))
    Tokenizer(path, cache=False)
    assert not (tmp_path / "cache").exists()
    assert tokenizer_module.cache_directory() == str(tmp_path / "cache")
    monkeypatch.delenv("NLPZERO_CACHE_DIR")
    assert tokenizer_module.cache_directory().endswith(os.path.join(".cache", "nlpzero"))
