"""Start-up: what the package and the command line import, and the kernels' options."""

import subprocess
import sys

import numba
import pytest

from nlpzero import _jit


def _run(code: str) -> str:
    """stdout of ``python -c code`` in a fresh interpreter (this checkout's package)."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_importing_the_package_loads_no_layer_until_a_name_is_used():
    out = _run("import sys, nlpzero\n"
               "print(sorted(m for m in sys.modules if m.startswith('nlpzero.')))\n"
               "nlpzero.Tokenizer\n"
               "print('nlpzero.segmentation' in sys.modules, 'nlpzero.vectors' in sys.modules,"
               " 'nlpzero.discovery' in sys.modules)")
    first, second = out.splitlines()
    assert first == "['nlpzero._numba_cache', 'nlpzero.errors']"
    assert second == "True False False"  # segmenting imports neither vectors nor finders


def test_every_public_name_is_reachable_and_unknown_names_fail():
    import nlpzero

    for name in nlpzero.__all__:
        assert getattr(nlpzero, name) is not None
        assert name in dir(nlpzero)
    with pytest.raises(AttributeError):
        nlpzero.no_such_name  # noqa: B018
    from nlpzero import segmentation

    assert segmentation.find_new_words.__module__ == "nlpzero.segmentation.adaptation"
    with pytest.raises(AttributeError):
        segmentation.no_such_name  # noqa: B018


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="kernels are plain functions")
def test_kernels_skip_the_cfunc_wrapper_and_keep_their_own_options():
    from nlpzero.segmentation import tagger
    from nlpzero.vectors import training

    kernel = tagger._viterbi
    assert kernel.targetoptions["no_cfunc_wrapper"] is True
    assert type(kernel._cache).__name__ == "FunctionCache"  # cache=True
    kernels = [*vars(training).values(), *training._TRAIN_BLOCKS.values()]
    nogil = [k for k in kernels if getattr(k, "targetoptions", {}).get("nogil")]
    assert nogil and all(k.targetoptions["no_cfunc_wrapper"] for k in nogil)
    assert _jit.DEFAULTS == {"cache": True, "no_cfunc_wrapper": True}


def test_load_numba_lean_hides_scipy_and_cffi_only_while_numba_loads():
    pytest.importorskip("scipy")
    out = _run("import sys\n"
               "from nlpzero._numba_start import load_numba_lean\n"
               "load_numba_lean()\n"
               "import numba.np.arraymath as am, numba.core.typing.cffi_utils as cu\n"
               "print(am._HAVE_BLAS, cu.SUPPORTED, 'scipy.linalg' in sys.modules,"
               " 'cffi' in sys.modules)\n"
               "import scipy.linalg\n"  # still importable afterwards
               "from nlpzero import Tokenizer\n"
               "print(Tokenizer({'中国': 10, '人民': 5}).lcut('中国人民'))")
    flags, words = out.splitlines()
    assert flags == "False False False False"
    assert words == "['中国', '人民']"


def test_load_numba_lean_leaves_packages_already_imported():
    pytest.importorskip("scipy")
    out = _run("import scipy.linalg\n"
               "from nlpzero._numba_start import load_numba_lean\n"
               "load_numba_lean()\n"
               "import numba.np.arraymath as am\n"
               "print(am._HAVE_BLAS)")
    assert out.strip() == "True"


def _kernel_calls():
    """(file, line, called name, keyword names, last positional argument) of every call
    inside nlpzero's kernels."""
    import ast
    import os

    import nlpzero

    root = os.path.dirname(nlpzero.__file__)
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read())
            for fn in ast.walk(tree):
                if isinstance(fn, ast.FunctionDef) and any(
                        "njit" in ast.unparse(d) for d in fn.decorator_list):
                    for call in ast.walk(fn):
                        if isinstance(call, ast.Call):
                            yield (os.path.relpath(path, root), call.lineno,
                                   ast.unparse(call.func), [k.arg for k in call.keywords],
                                   ast.unparse(call.args[-1]) if call.args else "")


def test_kernels_make_arrays_with_np_empty_and_a_keyword_dtype():
    # See nlpzero._jit: each other spelling compiles NumPy's constructor once more.
    calls = list(_kernel_calls())
    assert len(calls) > 100
    assert [c for c in calls if c[2] in ("np.zeros", "np.ones", "np.full")] == []
    assert [c for c in calls if c[2] == "np.empty" and c[3] != ["dtype"]] == []


def test_kernels_make_arrays_with_new_array():
    # See nlpzero._kernels.arrays: np.empty compiles again in every process that
    # compiles a kernel calling it; the cached new_array compiles once.
    calls = list(_kernel_calls())
    assert len([c for c in calls if c[2] == "new_array"]) > 100
    assert [c for c in calls if c[2] == "np.empty"] == []


def test_kernels_give_new_array_a_scalar_type_not_a_dtype():
    # new_array(n, a.dtype) compiles once more what new_array(n, np.int64) compiled.
    calls = [c for c in _kernel_calls() if c[2] == "new_array"]
    assert [c for c in calls if c[4].endswith(".dtype")] == []


def test_kernels_call_no_builtin_min_or_max():
    # Numba compiles its min() and max() in every process (and per set of options)
    # that compiles a kernel calling them; a comparison compiles nothing more.
    calls = [c for c in _kernel_calls() if c[2] in ("min", "max")]
    assert calls == []


def test_kernels_copy_arrays_in_loops_not_by_slice_assignment():
    # `a[:n] = b[:n]` makes Numba compile its shape check and the error message it
    # formats (about 1.8 s on a first run); filling a slice with a scalar does not.
    import ast
    import os

    import nlpzero

    root = os.path.dirname(nlpzero.__file__)
    copies = []
    for folder, _, files in os.walk(root):
        for name in (n for n in files if n.endswith(".py")):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                tree = ast.parse(f.read())
            for fn in ast.walk(tree):
                if not (isinstance(fn, ast.FunctionDef)
                        and any("njit" in ast.unparse(d) for d in fn.decorator_list)):
                    continue
                for node in ast.walk(fn):
                    if (isinstance(node, ast.Assign)
                            and any(isinstance(t, ast.Subscript)
                                    and any(isinstance(x, ast.Slice) for x in ast.walk(t.slice))
                                    for t in node.targets)
                            and isinstance(node.value, (ast.Subscript, ast.Call))):
                        copies.append((name, node.lineno, ast.unparse(node)))
    assert copies == []
