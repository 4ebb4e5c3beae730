"""The one place where kernels make arrays: :func:`new_array`.

Numba compiles its implementation of ``np.empty`` in every process that compiles a
kernel calling it, once per shape type, dtype and set of compiler options, and never
caches it on disk (0.03 to 0.07 s each, several times per command on a first run). A
kernel that calls :func:`new_array` instead loads it from Numba's cache once any
earlier command compiled it for the same shape type and dtype, and compiles nothing
of NumPy's.
"""

from __future__ import annotations

import numba
import numpy as np
from numba.core import types
from numba.core.registry import CPUDispatcher

from .. import _jit


def _new_array(shape, dtype):
    """``np.empty(shape, dtype=dtype)``: `shape` an int or a tuple of ints, `dtype` a
    NumPy scalar type: ``np.int64``, or an array's ``a.dtype.type`` (``a.dtype`` itself
    is another argument type to Numba, and would compile np.empty once more)."""
    return np.empty(shape, dtype=dtype)


class _PlainTypesDispatcher(CPUDispatcher):
    """A dispatcher that compiles for the plain types of the arguments it is called
    with from a kernel. Numba types a constant argument (``1``, the 4 of ``(n, 4)``,
    and for a moment a variable first set to a constant) as a literal of its own
    value, and a called kernel gets one more compiled version per literal: each would
    compile ``np.empty`` again."""

    def get_call_template(self, args, kws):
        args = [types.unliteral(a) for a in args]
        kws = {k: types.unliteral(v) for k, v in kws.items()}
        return super().get_call_template(args, kws)


def _make_new_array():
    if numba.config.DISABLE_JIT:
        return _new_array
    options = {**_jit.DEFAULTS, "no_cpython_wrapper": True, "nopython": True}
    del options["cache"]
    dispatcher = _PlainTypesDispatcher(py_func=_new_array, locals={}, targetoptions=options)
    dispatcher.enable_caching()
    return dispatcher


new_array = _make_new_array()
