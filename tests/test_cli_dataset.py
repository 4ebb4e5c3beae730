"""--dataset NAME on every command that offers it (lexicon, templates, vectors), on a
small stand-in for the built-in corpus."""

import pytest

from nlpzero import datasets
from nlpzero.cli import main


@pytest.fixture
def small_dataset(monkeypatch, pd_lines):
    lines = pd_lines[:600]
    monkeypatch.setitem(datasets.DATASETS, "peoples-daily", lambda: list(lines))
    monkeypatch.setitem(datasets.DATASETS, "reviews", lambda: ["这本书很好看", "不好看"] * 50)
    return lines


def _same_as_file(tmp_path, capsys, command, lines, extra):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_dataset, from_file = tmp_path / "a.txt", tmp_path / "b.txt"
    assert main([command, "-q", "--dataset", "peoples-daily", "-o", str(from_dataset), *extra]) == 0
    assert main([command, "-q", str(corpus), "-o", str(from_file), *extra]) == 0
    capsys.readouterr()
    return from_dataset.read_text(encoding="utf-8"), from_file.read_text(encoding="utf-8")


def test_lexicon_dataset(tmp_path, capsys, small_dataset):
    a, b = _same_as_file(tmp_path, capsys, "lexicon", small_dataset, ["--method", "pmi"])
    assert a == b and "人民" in a.split()


def test_templates_dataset(tmp_path, capsys, small_dataset):
    a, b = _same_as_file(tmp_path, capsys, "templates", small_dataset, [])
    assert a == b and "X 的 X\t" in a


def test_templates_several_datasets(tmp_path, capsys, small_dataset):
    out = tmp_path / "t.txt"
    assert main(["templates", "-q", "--dataset", "peoples-daily", "--dataset", "reviews",
                 "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") != _same_as_file(
        tmp_path, capsys, "templates", small_dataset, [])[0]


def test_vectors_dataset(tmp_path, capsys, small_dataset):
    extra = ["--dim", "8", "--iter", "2", "--seed", "1", "--threads", "1", "--min-count", "3"]
    a, b = _same_as_file(tmp_path, capsys, "vectors", small_dataset, extra)
    n_words, dim = map(int, a.split("\n", 1)[0].split())
    assert n_words > 100 and dim == 8
    assert a.split("\n", 1)[0] == b.split("\n", 1)[0]  # the same vocabulary from the same text
    assert "人民" in {line.split(" ", 1)[0] for line in a.split("\n")[1:]}
