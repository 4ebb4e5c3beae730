"""Shared fixtures: small real text from the People's Daily when the data extra is there."""

import os

import pytest


@pytest.fixture(scope="session")
def pd_lines():
    """The first 2,000 raw lines of the People's Daily 1998 corpus."""
    datasets = pytest.importorskip("nlpzero.datasets")
    try:
        return datasets.peoples_daily_text()[:2000]
    except Exception as exc:  # the optional package is missing
        pytest.skip(f"People's Daily unavailable: {exc}")


@pytest.fixture(scope="session")
def jieba_dict_path():
    import jieba

    return os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
