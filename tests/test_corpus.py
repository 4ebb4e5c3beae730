"""Streaming input: encodings, line endings, long lines, sources and character classes."""

import pytest
from hypothesis import given, settings, strategies as st

import nlpzero.corpus as corpus
from nlpzero.corpus import (CharVocab, Piece, code_points, expand_sources, iter_runs, read_lines,
                            read_pieces, units_after_numbers)
from nlpzero.errors import InputError


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_bom_crlf_and_blank_lines(tmp_path):
    path = write(tmp_path, "a.txt", "\ufeff中国\r\n\r\n人民\n最后".encode("utf-8"))
    assert list(read_lines(path)) == ["中国", "", "人民", "最后"]


def test_invalid_utf8_names_file_line_and_offset(tmp_path):
    path = write(tmp_path, "bad.txt", "中国\n人民\n".encode("utf-8") + b"ab\xffcd\n")
    with pytest.raises(InputError) as err:
        list(read_lines(path))
    message = str(err.value)
    assert "bad.txt" in message and "line 3" in message and "byte offset 16" in message


def test_invalid_utf8_replaced_on_request(tmp_path):
    path = write(tmp_path, "bad.txt", b"ab\xffcd\n")
    assert list(read_lines(path, errors="replace")) == ["ab\ufffdcd"]


def test_binary_file_is_refused(tmp_path):
    path = write(tmp_path, "bin.dat", b"\x00\x01\x02ab")
    with pytest.raises(InputError, match="binary"):
        list(read_lines(path))


def test_long_line_comes_in_pieces_on_character_boundaries(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "BLOCK_BYTES", 64)
    monkeypatch.setattr(corpus, "MAX_PIECE_BYTES", 100)
    line = "中国𠀀a" * 200
    path = write(tmp_path, "long.txt", (line + "\n短\n").encode("utf-8"))
    pieces = list(read_pieces(path))
    assert "".join(p.text for p in pieces[:-1]) == line
    assert all(not p.line_end for p in pieces[:-2]) and pieces[-2].line_end
    assert pieces[-1] == Piece("短", True)
    # A piece never exceeds one block more than the limit: memory stays bounded.
    assert all(len(p.text.encode("utf-8")) <= 100 + 64 for p in pieces)


def test_error_line_numbers_across_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "BLOCK_BYTES", 7)
    path = write(tmp_path, "bad.txt", ("中\n" * 10).encode("utf-8") + b"\xff\n")
    with pytest.raises(InputError, match="line 11"):
        list(read_lines(path))


def test_sources_directories_globs_and_missing(tmp_path):
    write(tmp_path, "b.txt", "乙\n".encode())
    write(tmp_path, "a.txt", "甲\n".encode())
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "c.txt", "丙\n".encode())
    assert list(read_lines(str(tmp_path))) == ["甲", "乙", "丙"]
    assert list(read_lines(str(tmp_path / "*.txt"))) == ["甲", "乙"]
    with pytest.raises(InputError, match="no such file"):
        expand_sources([str(tmp_path / "missing.txt")])
    with pytest.raises(InputError, match="no file matches"):
        expand_sources([str(tmp_path / "*.none")])


def test_empty_file(tmp_path):
    assert list(read_lines(write(tmp_path, "e.txt", b""))) == []


def test_runs_split_at_atoms_and_punctuation():
    assert list(iter_runs("中国2024年，ABC人民〇𠀀😀好")) == ["中国", "人民〇𠀀", "好"]
    assert list(iter_runs("年月，３日电，年")) == ["年月", "电", "年"]
    assert list(iter_runs("３年来，１９９８年来")) == ["年来", "来"]  # 年 joins a year only


def test_number_units_leave_the_runs_in_the_vocabulary_encoding():
    vocab = CharVocab()
    ids = vocab.encode("１３日电，日")
    assert ids[2] == -1 and ids[3] >= 0 and ids[5] >= 0
    assert units_after_numbers(code_points("5％5万年")).tolist() == [False, True, False, True, False]


def test_vocab_assigns_dense_ids_and_marks_non_han():
    vocab = CharVocab()
    ids = vocab.encode("中a国中")
    assert ids.tolist() == [0, -1, 1, 0]
    assert vocab.encode("国x", grow=False).tolist() == [1, -1]
    assert len(vocab) == 2


def naive_encode(texts):
    """Reference encoding: new Han characters of each text get the next ids in code-point
    order; every other character, and a number's unit (as the atoms' plain rules of
    test_kernels find it), is -1."""
    from nlpzero.corpus import CHAR_CLASS, HAN
    from test_kernels import reference_units

    table, out = {}, []
    for text in texts:
        for c in sorted({ch for ch in text if CHAR_CLASS[ord(ch)] == HAN} - set(table)):
            table[c] = len(table)
        ids = [-1 if unit else table.get(ch, -1) for ch, unit in zip(text, reference_units(text))]
        out.append(ids)
    return out


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="中国年月日万%％1１.a，\u3007𠀀😀 \n", max_size=30), max_size=5))
def test_vocab_encoding_matches_reference(texts):
    vocab = CharVocab()
    assert [vocab.encode(t).tolist() for t in texts] == naive_encode(texts)
    # Without growing, known characters keep their ids and unknown ones are -1.
    known = set(vocab._chars)
    probe = "中国年人𠀁"
    expected = [vocab.id_of(ch) if ord(ch) in known else -1 for ch in probe]
    assert vocab.encode(probe, grow=False).tolist() == expected


def test_vocab_encoding_of_real_text_matches_reference(pd_lines):
    texts = pd_lines[:300]
    vocab = CharVocab()
    assert [vocab.encode(t).tolist() for t in texts] == naive_encode(texts)
