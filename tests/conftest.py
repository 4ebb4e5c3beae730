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


@pytest.fixture(scope="session", autouse=True)
def tokenizer_cache_dir(tmp_path_factory):
    """Tokenizers built from files keep their cache here, not in the user's folder
    (set in os.environ so that CLI subprocesses inherit it)."""
    old = os.environ.get("NLPZERO_CACHE_DIR")
    os.environ["NLPZERO_CACHE_DIR"] = str(tmp_path_factory.mktemp("nlpzero_cache"))
    yield os.environ["NLPZERO_CACHE_DIR"]
    if old is None:
        os.environ.pop("NLPZERO_CACHE_DIR", None)
    else:
        os.environ["NLPZERO_CACHE_DIR"] = old


@pytest.fixture(scope="module")
def dask_cluster():
    """A local Dask cluster of two worker processes (one per test module that asks),
    and a client of it."""
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    yield cluster, client
    client.close()
    cluster.close()
