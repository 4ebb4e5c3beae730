"""SIGHAN-style scoring against a naive span-set reference, hand-checked cases, and
errors for inputs that cannot be compared."""

import pytest
from hypothesis import given, settings, strategies as st

from nlpzero.errors import DatasetUnavailable, InputError
from nlpzero.lexicon import Lexicon
from nlpzero.scoring import SegmentationScore, score, score_files


def reference_score(gold_lines, pred_lines, lexicon=None):
    """Obviously-correct scoring: each word becomes a (line, start, end) span."""

    def spans(lines):
        out = []
        for number, words in enumerate(lines):
            pos = 0
            for w in words:
                out.append((number, pos, pos + len(w), w))
                pos += len(w)
        return out

    gold = spans(gold_lines)
    pred = {(n, a, b) for n, a, b, _ in spans(pred_lines)}
    correct = [(n, a, b) in pred for n, a, b, _ in gold]
    n_correct = sum(correct)
    p = n_correct / len(pred) if pred else 0.0
    r = n_correct / len(gold) if gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    oov = iv = None
    n_oov = 0
    if lexicon is not None:
        oov_flags = [w not in lexicon for _, _, _, w in gold]
        n_oov = sum(oov_flags)
        oov_ok = sum(c for c, o in zip(correct, oov_flags) if o)
        iv_ok = sum(c for c, o in zip(correct, oov_flags) if not o)
        oov = oov_ok / n_oov if n_oov else None
        iv = iv_ok / (len(gold) - n_oov) if len(gold) - n_oov else None
    return dict(precision=p, recall=r, f1=f1, oov_recall=oov, iv_recall=iv, n_gold=len(gold),
                n_pred=len(pred), n_correct=n_correct, n_gold_oov=n_oov, n_lines=len(gold_lines))


def assert_matches(result, expected):
    for name, value in expected.items():
        got = getattr(result, name)
        if isinstance(value, float):
            assert got == pytest.approx(value, abs=1e-12), name
        else:
            assert got == value, name


@st.composite
def segmentations(draw, text):
    """A random segmentation of `text` into non-empty words."""
    cuts = sorted(draw(st.sets(st.integers(1, max(len(text) - 1, 1)), max_size=len(text))))
    cuts = [c for c in cuts if 0 < c < len(text)]
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


@st.composite
def corpora(draw):
    alphabet = st.sampled_from("中国人民银行的了𠀀ab1")
    texts = draw(st.lists(st.text(alphabet, max_size=12), max_size=6))
    gold = [draw(segmentations(t)) for t in texts]
    pred = [draw(segmentations(t)) for t in texts]
    vocabulary = sorted({w for words in gold + pred for w in words})
    lexicon = draw(st.none() | st.sets(st.sampled_from(vocabulary)) if vocabulary else st.none())
    return gold, pred, lexicon


@settings(max_examples=300, deadline=None)
@given(corpus=corpora(), as_strings=st.booleans())
def test_matches_reference(corpus, as_strings):
    gold, pred, lexicon = corpus
    expected = reference_score(gold, pred, lexicon)
    if as_strings:
        gold = [" ".join(words) for words in gold]
        pred = ["  ".join(words) for words in pred]
    assert_matches(score(gold, pred, lexicon), expected)
    assert_matches(score(iter(gold), iter(pred), lexicon), expected)


def test_hand_checked():
    s = score(["中国 人民 银行"], [["中国", "人", "民", "银行"]])
    assert (s.n_gold, s.n_pred, s.n_correct, s.n_lines) == (3, 4, 2, 1)
    assert s.precision == 0.5 and s.recall == pytest.approx(2 / 3)
    assert s.f1 == pytest.approx(4 / 7)  # 2 * (1/2) * (2/3) / (1/2 + 2/3)
    assert s.oov_recall is None and s.iv_recall is None and s.n_gold_oov == 0


def test_hand_checked_oov():
    gold = ["中国 人民 银行", "人民 日报"]
    pred = ["中国 人 民 银行", "人民日报"]
    s = score(gold, pred, lexicon={"中国", "银行", "人民"})
    # Gold: 中国 ✓, 人民 ✗, 银行 ✓ | 人民 ✗, 日报 ✗ (OOV). Predicted: 4 + 1 words.
    assert (s.n_gold, s.n_pred, s.n_correct, s.n_gold_oov) == (5, 5, 2, 1)
    assert s.oov_recall == 0.0 and s.iv_recall == 0.5
    assert s.precision == s.recall == 0.4 and s.f1 == pytest.approx(0.4)


def test_same_words_elsewhere_are_not_correct():
    # "人民" in both, but at other characters: the spans differ.
    s = score(["人民 人民人"], ["人民人 民人"])
    assert s.n_correct == 0 and s.f1 == 0.0


def test_lexicon_can_be_a_lexicon():
    s = score(["中国 人民"], ["中国 人民"], lexicon=Lexicon({"中国": 1}))
    assert s.oov_recall == 1.0 and s.iv_recall == 1.0 and s.n_gold_oov == 1


def test_none_when_undefined():
    assert score(["中国 人民"], ["中国 人民"], lexicon={"中国", "人民"}).oov_recall is None
    assert score(["中国 人民"], ["中国 人民"], lexicon=set()).iv_recall is None
    assert score(["中国 人民"], ["中国 人民"], lexicon=set()).oov_recall == 1.0


def test_empty_input_and_empty_lines():
    s = score([], [])
    assert s == SegmentationScore(0.0, 0.0, 0.0, None, None, 0, 0, 0, 0, 0)
    s = score(["", "中国", "  "], [[], ["中", "国"], [" ", ""]])
    assert (s.n_lines, s.n_gold, s.n_pred, s.n_correct, s.f1) == (3, 1, 2, 0, 0.0)


def test_whitespace_tokens_are_ignored():
    s = score([["中国", " ", "人民", "\u3000", ""]], ["中国\t人民\u3000"])
    assert s.n_gold == 2 and s.n_pred == 2 and s.f1 == 1.0


def test_text_mismatch_names_the_line():
    with pytest.raises(InputError) as info:
        score(["中国 人民", "人民 日报 社论"], ["中国 人民", "人民 日本 社论"])
    message = str(info.value)
    assert message.startswith("line 2:") and "character 4" in message and "\n" not in message
    assert "日报" in message and "日本" in message


def test_text_mismatch_in_length():
    with pytest.raises(InputError, match="line 1: .*character 4: gold '中国人民' vs predicted '中国人'"):
        score(["中国 人民"], ["中国 人"])


@pytest.mark.parametrize("gold, pred, shorter", [
    (["中国", "人民"], ["中国"], "predicted"),
    (["中国"], ["中国", "人民"], "gold"),
])
def test_different_numbers_of_lines(gold, pred, shorter):
    with pytest.raises(InputError, match=f"the {shorter} segmentation has 1 lines"):
        score(gold, pred)


def test_stops_at_the_first_bad_line_of_a_stream():
    def endless():
        while True:
            yield "中国 人民"

    with pytest.raises(InputError, match="line 1"):
        score(endless(), (line for line in ["中国 人"]))


def test_format():
    text = score(["中国 人民 银行"], ["中国 人 民 银行"], lexicon={"中国"}).format()
    assert "precision   0.5000" in text and "F1          0.5714" in text
    assert "OOV recall  0.5000" in text and "IV recall   1.0000" in text
    assert "1 lines: 3 gold words, 4 predicted, 2 correct" in text
    assert "n/a" in score(["中国"], ["中国"], lexicon={"中国"}).format()
    assert "OOV" not in score(["中国"], ["中国"]).format()


@pytest.fixture(scope="module")
def pd_gold():
    datasets = pytest.importorskip("nlpzero.datasets")
    try:
        return datasets.peoples_daily_gold()[:3000]
    except DatasetUnavailable as exc:
        pytest.skip(str(exc))


def test_real_text(pd_gold):
    assert score(pd_gold, pd_gold).f1 == 1.0
    # Every character a word: exactly the one-character gold words are right.
    chars = [list("".join(words)) for words in pd_gold]
    lexicon = {w for words in pd_gold[:1000] for w in words}
    s = score(pd_gold, chars, lexicon=lexicon)
    assert s.n_correct == sum(len(w) == 1 for words in pd_gold for w in words)
    assert_matches(s, reference_score(pd_gold, chars, lexicon))
    # Gold words merged pairwise.
    merged = [["".join(words[i:i + 2]) for i in range(0, len(words), 2)] for words in pd_gold]
    assert_matches(score(pd_gold, merged, lexicon), reference_score(pd_gold, merged, lexicon))


# ---------------------------------------------------------------------------------------
# Files


def write(path, content):
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_score_files(tmp_path):
    gold = write(tmp_path / "gold.txt", "\ufeff中国 人民\r\n银行\n\n𠀀 日报")
    pred = write(tmp_path / "pred.txt", "中国 人 民\n银行\r\n  \n𠀀日报\n")
    expected = score(["中国 人民", "银行", "", "𠀀 日报"], ["中国 人 民", "银行", "", "𠀀日报"],
                     lexicon={"中国"})
    assert score_files(gold, str(pred), lexicon={"中国"}) == expected
    assert expected.n_lines == 4 and expected.n_correct == 2


def test_score_files_invalid_utf8(tmp_path):
    gold = write(tmp_path / "gold.txt", "中国 人民\n".encode() + b"\xe4\xb8 x\n")
    pred = write(tmp_path / "pred.txt", "中国 人民\n银行\n")
    with pytest.raises(InputError) as info:
        score_files(gold, pred)
    message = str(info.value)
    assert message == f"{gold}, line 2: invalid UTF-8 at byte offset 14 (byte 1 of the line)"
    # With "replace", the bad bytes become U+FFFD and the texts then differ.
    with pytest.raises(InputError, match="line 2: the gold and predicted"):
        score_files(gold, pred, errors="replace")


def test_score_files_missing(tmp_path):
    pred = write(tmp_path / "pred.txt", "中国\n")
    with pytest.raises(InputError, match="^no such file: .*gold.txt$"):
        score_files(tmp_path / "gold.txt", pred)
    with pytest.raises(InputError, match="directory"):
        score_files(tmp_path, pred)


def test_score_files_line_counts(tmp_path):
    gold = write(tmp_path / "gold.txt", "中国\n人民\n")
    pred = write(tmp_path / "pred.txt", "中国\n")
    with pytest.raises(InputError, match="predicted segmentation has 1 lines"):
        score_files(gold, pred)
