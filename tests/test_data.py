"""The sample texts of data/: present, consistent, and enough for the CLI to learn from."""

import os

import pytest

from nlpzero.cli import main

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")
FILES = ["peoples-daily.txt", "peoples-daily-gold.txt", "reviews.txt", "news.txt"]


def _lines(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return f.read().split("\n")[:-1]


@pytest.mark.parametrize("name", FILES)
def test_sample_files_are_small_utf8_lines(name):
    lines = _lines(name)
    assert len(lines) >= 300 and all(line.strip() for line in lines)
    assert os.path.getsize(os.path.join(DATA, name)) < 200_000


def test_raw_people_daily_is_the_gold_without_spaces():
    assert [line.replace(" ", "") for line in _lines("peoples-daily-gold.txt")] == \
        _lines("peoples-daily.txt")


def test_lexicon_from_the_sample(tmp_path, capsys):
    out = tmp_path / "lex.txt"
    assert main(["lexicon", "-q", os.path.join(DATA, "peoples-daily.txt"), "-o", str(out)]) == 0
    words = {line.split()[0] for line in out.read_text(encoding="utf-8").splitlines()}
    assert {"中国", "经济", "发展"} <= words


def test_demo_on_the_sample(capsys):
    assert main(["demo", "-q", "--gold", os.path.join(DATA, "peoples-daily-gold.txt"),
                 "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "from peoples-daily-gold.txt (38743 characters)" in out
    f1 = float(next(line for line in out.splitlines() if line.startswith("F1")).split()[1])
    assert 0.6 < f1 < 0.9
