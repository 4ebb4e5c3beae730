"""Loading a segmenter model checks its lexicon in bulk: the same Lexicon as word by word,
and a damaged one is refused."""

import numpy as np
import pytest

from nlpzero.errors import FormatError
from nlpzero.lexicon import Lexicon
from nlpzero.segmentation.tagger import Segmenter


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    seg = Segmenter.train({"中国": 50, "人民": 40, "银行": 30, "的": 90}, n_samples=300, bits=10)
    path = tmp_path_factory.mktemp("model") / "m.npz"
    seg.save(path)
    with np.load(path, allow_pickle=False) as z:
        return seg, {k: z[k] for k in z.files}


def _with_lexicon(tmp_path, arrays, text, counts):
    arrays = dict(arrays, lexicon_text=np.frombuffer(text.encode("utf-8"), np.uint8),
                  lexicon_counts=np.array(counts, dtype=np.int64))
    path = tmp_path / "edited.npz"
    np.savez(path, **arrays)
    return path


def test_loaded_lexicon_is_the_saved_one(tmp_path, model):
    seg, arrays = model
    loaded = Segmenter.load(_with_lexicon(tmp_path, arrays, "中国\n人民\n的", [5, 4, 9]))
    assert loaded.lexicon == Lexicon({"中国": 5, "人民": 4, "的": 9})
    assert loaded.lexicon.total == 18
    # A repeated word adds up, as in a lexicon file.
    loaded = Segmenter.load(_with_lexicon(tmp_path, arrays, "中国\n人民\n中国", [5, 4, 2]))
    assert loaded.lexicon == Lexicon({"中国": 7, "人民": 4})


@pytest.mark.parametrize("text", ["中 国\n人民", "中国\n\n人民", "中国\t\n人民", "中国\u3000\n人民"])
def test_words_with_whitespace_or_empty_are_refused(tmp_path, model, text):
    _, arrays = model
    with pytest.raises(FormatError, match="damaged"):
        Segmenter.load(_with_lexicon(tmp_path, arrays, text, [1] * (text.count("\n") + 1)))


def test_the_lattice_trie_of_a_model_is_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("NLPZERO_CACHE_DIR", str(tmp_path / "cache"))
    lexicon = {"中国": 50, "人民": 40, "银行": 30, "的": 90, "中国人民银行": 5}
    seg = Segmenter.train(lexicon, n_samples=300, bits=10)
    path = tmp_path / "m.npz"
    seg.save(path)
    first = Segmenter.load(path)
    cached = sorted((tmp_path / "cache").glob("trie-*.npz"))
    assert len(cached) == 1
    again = Segmenter.load(path)
    text = ["中国人民银行的人民", "银行的中国"]
    assert list(again.cut_lines(text)) == list(first.cut_lines(text)) == list(seg.cut_lines(text))
    # a new model at the same path is not served the old trie
    Segmenter.train({"中国人": 50, "民银行": 40}, n_samples=300, bits=10).save(path)
    newer = Segmenter.load(path)
    assert "民银行" in newer.lcut("中国人民银行")
    # an edit after loading is segmented with the edited lexicon, not the cached trie
    again.del_word("中国人民银行")
    again.add_word("民银", 10_000)
    edited = Segmenter(again.weights, again.transitions, Lexicon(again.lexicon.items()),
                       dict_weight=again.dict_weight)
    text = ["中国人民银行的人民", "银行的中国", "人民银行中国人民银行"]
    assert list(again.cut_lines(text)) == list(edited.cut_lines(text))
    assert list(again.cut_lines(text)) != list(first.cut_lines(text))
