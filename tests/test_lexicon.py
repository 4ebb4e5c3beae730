"""Lexicon: the mapping API, exact save/load round trips, jieba's format and dict.txt,
one-line errors for every kind of corrupt file, and the fast loader against the careful
one."""

import os
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nlpzero.lexicon as lexicon_module
from nlpzero.errors import FormatError, InputError
from nlpzero.lexicon import MAX_COUNT, Lexicon


# ---------------------------------------------------------------------------------------
# The mapping API


def test_construction_adds_up_repeats():
    lex = Lexicon([("中国", 2), ("人民", 1), ("中国", 3)])
    assert len(lex) == 2 and lex["中国"] == 5 and lex.total == 6
    assert Lexicon({"中国": 5, "人民": 1}) == lex
    assert Lexicon(lex) == lex and Lexicon(lex) is not lex
    assert Lexicon() == Lexicon([]) and len(Lexicon()) == 0 and Lexicon().total == 0


def test_reading():
    lex = Lexicon({"中国": 3, "人民": 2, "𠀀": 0})
    assert "中国" in lex and "美国" not in lex and 3 not in lex
    assert lex.get("美国") == 0 and lex.get("美国", 7) == 7 and lex.get("中国") == 3
    with pytest.raises(KeyError):
        lex["美国"]
    assert list(lex) == ["中国", "人民", "𠀀"]
    assert lex.most_common(2) == [("中国", 3), ("人民", 2)]
    assert lex.most_common() == lex.items() and lex.most_common(0) == []
    assert lex != Lexicon({"中国": 3, "人民": 2}) and lex != {"中国": 3, "人民": 2, "𠀀": 0}
    assert "3 words" in repr(lex) and "'中国': 3" in repr(lex)
    assert dict(lex) == {"中国": 3, "人民": 2, "𠀀": 0}
    assert lex.keys() == list(lex) and lex.values() == [3, 2, 0]


def test_items_order_is_count_then_code_point():
    lex = Lexicon([("b", 1), ("中", 2), ("a", 1), ("𠀀", 2), ("c", 5), ("B", 1)])
    assert lex.items() == [("c", 5), ("中", 2), ("𠀀", 2), ("B", 1), ("a", 1), ("b", 1)]
    # The same content inserted in another order gives the same order.
    assert Lexicon(dict(reversed(lex.items()))).items() == lex.items()


def test_items_is_a_copy():
    lex = Lexicon({"中国": 3})
    lex.items().append(("x", 1))
    assert lex.items() == [("中国", 3)]


def test_editing_keeps_order_and_total_current():
    lex = Lexicon({"中国": 3, "人民": 2})
    assert lex.most_common(1) == [("中国", 3)]
    lex.add("人民", 5)
    assert lex.most_common(1) == [("人民", 7)] and lex.total == 10
    lex.add("银行")
    assert lex["银行"] == 1 and lex.total == 11
    lex.update({"银行": 2, "美国": 0})
    lex.update([("银行", 1)])
    assert lex["银行"] == 4 and lex["美国"] == 0 and lex.total == 14
    lex.remove("人民")
    assert "人民" not in lex and lex.total == 7 and list(lex) == ["银行", "中国", "美国"]
    with pytest.raises(KeyError):
        lex.remove("人民")


def test_to_arrays():
    lex = Lexicon({"人民": 2, "中国": 3, "𠀀": 2})
    words, counts = lex.to_arrays()
    assert words == ["中国", "人民", "𠀀"]
    assert counts.dtype == np.int64 and counts.tolist() == [3, 2, 2]
    words, counts = lex.to_arrays(sort=False)
    assert dict(zip(words, counts.tolist())) == dict(lex.items())
    words, counts = Lexicon().to_arrays()
    assert words == [] and counts.dtype == np.int64 and len(counts) == 0


@pytest.mark.parametrize("word", ["", " ", "中 国", "中国\n", "\t", "中\u3000国", "a\xa0b", "x\u2028"])
def test_words_must_be_nonempty_without_whitespace(word):
    with pytest.raises(InputError):
        Lexicon().add(word)
    with pytest.raises(InputError):
        Lexicon({word: 1})


@pytest.mark.parametrize("count", [-1, MAX_COUNT + 1])
def test_counts_must_be_in_range(count):
    with pytest.raises(InputError):
        Lexicon().add("中国", count)


@pytest.mark.parametrize("count", [1.0, "3", None, True])
def test_counts_must_be_integers(count):
    with pytest.raises(TypeError):
        Lexicon().add("中国", count)


def test_other_type_errors():
    with pytest.raises(TypeError):
        Lexicon().add(3, 1)
    with pytest.raises(TypeError, match="Lexicon.load"):
        Lexicon("dict.txt")
    lex = Lexicon()
    lex.add("中国", np.int64(3))
    assert lex["中国"] == 3 and type(lex["中国"]) is int


def test_failed_update_changes_nothing():
    lex = Lexicon({"中国": 1})
    with pytest.raises(InputError):
        lex.update([("人民", 2), ("bad word", 1)])
    assert lex == Lexicon({"中国": 1}) and lex.total == 1


def test_sum_above_the_maximum_is_refused():
    lex = Lexicon({"中国": MAX_COUNT})
    with pytest.raises(InputError):
        lex.add("中国")
    with pytest.raises(InputError):
        lex.update([("人民", 1), ("中国", 1)])
    with pytest.raises(InputError):
        Lexicon([("人民", MAX_COUNT), ("人民", 1)])
    assert lex == Lexicon({"中国": MAX_COUNT}) and lex.total == MAX_COUNT


# ---------------------------------------------------------------------------------------
# Files: round trips and formats

# Characters a word may hold: anything printable but whitespace, astral planes included.
word_chars = st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"))
words = st.text(word_chars, min_size=1, max_size=6).filter(
    lambda w: not w.startswith("#") and not any(c.isspace() for c in w))
han_words = st.text(st.sampled_from("中国人民日报的了是𠀀𪚥龢"), min_size=1, max_size=4)
counts = st.integers(0, MAX_COUNT) | st.integers(0, 1000)


@settings(max_examples=150, deadline=None)
@given(content=st.dictionaries(words | han_words, counts, min_size=1, max_size=40))
def test_save_load_round_trip(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("lex") / "lex.txt"
    lex = Lexicon(content)
    lex.save(path)
    back = Lexicon.load(path)
    assert back == lex and back.items() == lex.items() and back.total == lex.total
    # The file is exactly the items, one "word count" line each.
    expected = "".join(f"{w} {c}\n" for w, c in lex.items())
    assert path.read_bytes() == expected.encode("utf-8")


def test_save_replaces_and_goes_to_stdout(tmp_path, capsys):
    path = tmp_path / "lex.txt"
    path.write_text("old", encoding="utf-8")
    Lexicon({"中国": 3, "人民": 5}).save(str(path))
    assert path.read_text(encoding="utf-8") == "人民 5\n中国 3\n"
    Lexicon({"中国": 3}).save("-")
    assert capsys.readouterr().out == "中国 3\n"


@pytest.mark.parametrize("word", ["#话题", "a\x00b", "\ud800"])
def test_save_refuses_words_the_format_cannot_carry(tmp_path, word):
    # Fine in memory (only the file format reserves them), refused by save().
    lex = Lexicon({"中国": 3, word: 1})
    with pytest.raises(FormatError, match="cannot save the word"):
        lex.save(tmp_path / "lex.txt")
    assert os.listdir(tmp_path) == []


def write(tmp_path, content, name="lex.txt"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_jieba_format_and_missing_counts(tmp_path):
    path = write(tmp_path, "AT&T 3 nz\n中国 12 ns\n𠀀\n人民 5\n")
    assert Lexicon.load(path) == Lexicon({"AT&T": 3, "中国": 12, "𠀀": 1, "人民": 5})


def test_bom_crlf_blank_lines_comments_and_tabs(tmp_path):
    text = "\ufeff# a comment\r\n\r\n中国\t12\tns\r\n  人民   5 n extra fields\r\n   # indented comment\n美国 0"
    assert Lexicon.load(write(tmp_path, text)) == Lexicon({"中国": 12, "人民": 5, "美国": 0})


def test_repeated_words_are_added_up(tmp_path):
    lines = [f"w{i % 7} {i}" for i in range(50)] + ["w0 1000"]
    expected = Lexicon([(f"w{i % 7}", i) for i in range(50)] + [("w0", 1000)])
    assert Lexicon.load(write(tmp_path, "\n".join(lines) + "\n")) == expected


def test_stdin(monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("中国 3\n".encode())))
    assert Lexicon.load("-") == Lexicon({"中国": 3})


# ---------------------------------------------------------------------------------------
# jieba's dictionary


@pytest.fixture(scope="module")
def jieba_lexicon():
    return Lexicon.load_jieba_default()


def test_jieba_dict(jieba_lexicon, jieba_dict_path):
    with open(jieba_dict_path, encoding="utf-8") as f:
        lines = [line.split() for line in f]
    assert len(lines) == 349046
    # One word, "B超", has two lines (3 and 3): they add up.
    assert len(jieba_lexicon) == 349045 and jieba_lexicon["B超"] == 6
    assert jieba_lexicon["的"] == 318825 and jieba_lexicon["了"] == 883634
    assert jieba_lexicon["龢"] == 732 and jieba_lexicon["AT&T"] == 3
    assert jieba_lexicon.total == sum(int(fields[1]) for fields in lines)


def test_jieba_dict_takes_the_fast_path(jieba_dict_path, monkeypatch):
    def refuse(*args):
        raise AssertionError("the line-by-line parser ran")

    monkeypatch.setattr(lexicon_module, "_parse_line_by_line", refuse)
    assert len(Lexicon.load(jieba_dict_path)) == 349045


def test_jieba_dict_with_crlf_and_bom_loads_the_same(tmp_path, jieba_dict_path, jieba_lexicon):
    with open(jieba_dict_path, "rb") as f:
        data = f.read()
    path = write(tmp_path, b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    assert Lexicon.load(path) == jieba_lexicon


# ---------------------------------------------------------------------------------------
# Errors


def load_error(tmp_path, content):
    with pytest.raises(FormatError) as info:
        Lexicon.load(write(tmp_path, content))
    message = str(info.value)
    assert "\n" not in message and str(tmp_path / "lex.txt") in message
    return message


@pytest.mark.parametrize("count", ["many", "-3", "3.5", "+3", "1_000", "٣", "0x10", "３"])
def test_bad_counts(tmp_path, count):
    message = load_error(tmp_path, f"中国 12\n人民 {count}\n银行 1\n")
    assert "line 2" in message and "not a non-negative integer" in message


def test_bad_count_in_an_otherwise_regular_file(tmp_path):
    lines = [f"w{i} {i} n" for i in range(1000)]
    lines[617] = "w617 6x7 n"
    assert "line 618" in load_error(tmp_path, "\n".join(lines) + "\n")


@pytest.mark.parametrize("count", [str(MAX_COUNT + 1), "9" * 5000])
def test_count_too_large(tmp_path, count):
    message = load_error(tmp_path, f"中国 12\n\n人民 {count}\n")
    assert "line 3" in message and "too large" in message and len(message) < 300


def test_repeats_adding_up_too_much(tmp_path):
    message = load_error(tmp_path, f"中国 {MAX_COUNT}\n人民 1\n中国 1\n")
    assert "line 3" in message


def test_invalid_utf8(tmp_path):
    message = load_error(tmp_path, "中国 12\n人民 5\n".encode() + b"ab\xff 3\n")
    assert "line 3" in message and "invalid UTF-8" in message
    assert "byte offset 21" in message and "byte 3 of the line" in message


def test_invalid_utf8_after_bom(tmp_path):
    message = load_error(tmp_path, b"\xef\xbb\xbf\xe4\xb8 1\n")
    assert "line 1" in message and "byte offset 3" in message and "byte 4 of the line" in message


def test_binary_file(tmp_path):
    message = load_error(tmp_path, b"\x7fELF 1\n\x02\x00\x00\x01")
    assert "line 2" in message and "binary" in message


@pytest.mark.parametrize("content", ["", "\n\n", "# only\n# comments\n", "\ufeff", " \t \r\n"])
def test_no_words(tmp_path, content):
    assert "no words" in load_error(tmp_path, content)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="^no such file: "):
        Lexicon.load(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="directory"):
        Lexicon.load(tmp_path)


# ---------------------------------------------------------------------------------------
# The fast loader against the careful line-by-line one


def test_non_ascii_whitespace_pattern_is_complete():
    everything = "".join(chr(c) for c in range(128, 0x110000) if not 0xD800 <= c < 0xE000)
    spaces = [c for c in everything if c.isspace()]
    assert lexicon_module._NON_ASCII_SPACE.findall(everything) == spaces


clean_chars = "中国人民a#/é𠀀0123456789-+"
field_chars = st.sampled_from(clean_chars + "\u3000\xa0\x85\u2028\r")
clean_fields = st.text(st.sampled_from(clean_chars), min_size=1, max_size=4)
fields = st.text(field_chars, min_size=1, max_size=4) | st.integers(0, 10**20).map(str)
separators = st.sampled_from([" ", " ", " ", "  ", "\t", "\u3000"])
line_ends = st.sampled_from(["\n", "\n", "\r\n", " \n"])


@st.composite
def lexicon_files(draw):
    """Lexicon-like text: half the time clean regular lines of 1 to 3 fields (the
    fast path's input), otherwise with noise of every kind."""
    width = draw(st.integers(1, 3))
    noisy = draw(st.booleans())
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["regular"] * 6 + ["other", "blank", "comment"])) if noisy else "regular"
        if kind == "blank":
            lines.append("")
        elif kind == "comment":
            lines.append("#" + draw(st.text(field_chars, max_size=5)))
        else:
            some_field = fields if noisy else clean_fields
            n = width if kind == "regular" else draw(st.integers(1, 4))
            row = [draw(some_field)]
            if n > 1:
                digits = (st.integers(0, 99) | st.integers(0, MAX_COUNT)
                          | st.integers(MAX_COUNT - 2, MAX_COUNT * 11)).map(str)
                row.append(draw(digits | some_field if noisy else digits))
            row += [draw(some_field) for _ in range(n - 2)]
            lines.append(draw(separators).join(row) if kind == "other" else " ".join(row))
    ends = [draw(line_ends) if noisy else draw(st.sampled_from(["\n", "\r\n"])) for _ in lines]
    text = "".join(line + end for line, end in zip(lines, ends))
    if text and draw(st.booleans()):
        text = text[:-1]  # no newline at the end
    return text


@settings(max_examples=400, deadline=None)
@given(text=lexicon_files())
def test_fast_path_agrees_with_the_careful_parser(text):
    try:
        expected = lexicon_module._parse_line_by_line(text, "lex.txt")
    except FormatError:
        expected = None
    fast = lexicon_module._parse_regular(text.encode("utf-8"), text)
    if fast is not None:
        assert fast == expected
        assert list(fast) == list(expected)  # the same insertion order too


@pytest.mark.parametrize("text", [
    "1\u30002 3\n\u3000 5\n",  # str.split() cuts at U+3000: same field count, other fields
    "a  3\nb 4 5\n",             # a doubled space
    "a 3 \nb 4\n",               # trailing space
    "a 3\n\nb 4\nc 5\n",         # blank line
    "a 3\n#b 4\n",               # comment
    "a 3\r\nb\r4\n",             # a lone CR
    "a\t3\nb\t4\n",              # tabs
])
def test_irregular_files_leave_the_fast_path(text):
    assert lexicon_module._parse_regular(text.encode("utf-8"), text) is None
    assert isinstance(lexicon_module._parse_line_by_line(text, "lex.txt"), dict)


def test_repeat_search_does_not_trust_object_identity():
    # Keys equal to the words but not the same objects: the identity-guided search
    # must give up (or be right), never report a first occurrence as a repeat.
    words = ["ab", "cd", "ab", "ef"]
    counts = {"".join(["a", "b"]): 1, "".join(["c", "d"]): 2, "".join(["e", "f"]): 4}
    assert lexicon_module._later_occurrences(counts, words, 1) in (None, [2])
    values = [1, 2, 3, 4]
    assert lexicon_module.add_up_repeats(counts, words, values)
    assert counts == {"ab": 4, "cd": 2, "ef": 4}


def naive_load(text):
    """Obviously-correct reading of a valid lexicon file."""
    result = {}
    for line in text.split("\n"):
        parts = line.split()
        if parts and not parts[0].startswith("#"):
            result[parts[0]] = result.get(parts[0], 0) + (int(parts[1]) if len(parts) > 1 else 1)
    return result


@settings(max_examples=200, deadline=None)
@given(entries=st.lists(st.tuples(han_words | words, st.integers(0, 10**6)), min_size=1, max_size=60),
       width=st.integers(1, 3), crlf=st.booleans())
def test_regular_files_with_repeats(tmp_path_factory, entries, width, crlf):
    end = "\r\n" if crlf else "\n"
    if width == 1:
        text = "".join(w + end for w, _ in entries)
    else:
        text = "".join(f"{w} {c}{' n' if width == 3 else ''}{end}" for w, c in entries)
    path = tmp_path_factory.mktemp("lex") / "lex.txt"
    path.write_bytes(text.encode("utf-8"))
    assert dict(Lexicon.load(path).items()) == naive_load(text)


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.sampled_from("ab中\u3000\xa0\x85é\u2028\u205f𠀀 \n"), max_size=40))
def test_non_ascii_space_detection(text):
    data = text.encode("utf-8")
    buf = np.frombuffer(data, dtype=np.uint8)
    expected = lexicon_module._NON_ASCII_SPACE.search(text) is not None
    assert lexicon_module._has_non_ascii_space(data, buf, text) == expected


def test_many_repeats_take_the_hash_route(tmp_path):
    pairs = [(f"w{i % 100}", i) for i in range(5000)]
    text = "".join(f"{w} {c}\n" for w, c in pairs)
    assert Lexicon.load(write(tmp_path, text)) == Lexicon(pairs)
