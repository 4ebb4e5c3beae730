"""The one place where kernels make arrays: :func:`new_array`.

Numba compiles its implementation of ``np.empty`` in every process that compiles a
kernel calling it, once per shape type, dtype and set of compiler options, and never
caches it on disk (0.03 to 0.07 s each, several times per command on a first run). A
kernel that calls :func:`new_array` instead loads it from Numba's cache once any
earlier command compiled it for the same shape type and dtype, and compiles nothing
of NumPy's.

Compiled, :func:`new_array` allocates through :func:`_empty`, Numba's own allocation
code emitted in place (what its ``np.empty`` runs), not through ``np.empty``: that is
an overload, a function of its own that Numba compiles, with the allocator's, for each
shape type and dtype (about 0.04 s each, eight or nine times over the commands of a new
user).
"""

from __future__ import annotations

import numba
import numpy as np
from numba.core import types
from numba.core.registry import CPUDispatcher

from numba.extending import intrinsic

from .. import _jit

try:  # private to Numba: a release that moves them costs the compile time, nothing else
    from numba.np.arrayobj import _empty_nd_impl, _parse_empty_args
except ImportError:  # pragma: no cover - depends on the installed Numba
    _empty_nd_impl = _parse_empty_args = None


@intrinsic
def _empty(typingctx, shape, dtype):
    """``np.empty(shape, dtype)``, C order, as code emitted in place: `shape` an
    integer or a tuple of integers, `dtype` a NumPy scalar type or a dtype. Negative
    sizes raise ValueError as in ``np.empty``."""
    if isinstance(shape, types.Integer):
        ndim = 1
    elif isinstance(shape, types.BaseTuple) and all(isinstance(s, types.Integer)
                                                    for s in shape):
        ndim = len(shape)
    else:
        return None
    if not isinstance(dtype, (types.NumberClass, types.DType)):
        return None
    array_type = types.Array(dtype.dtype, ndim, "C")

    def codegen(context, builder, signature, args):
        array_type, shapes = _parse_empty_args(context, builder, signature, args)
        return _empty_nd_impl(context, builder, array_type, shapes)._getvalue()

    return array_type(shape, dtype), codegen


def _new_array_compiled(shape, dtype):
    """What :data:`new_array` compiles (see :func:`_new_array`)."""
    return _empty(shape, dtype)


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
    # Without Numba's allocation code (a later release), the plain np.empty version.
    compiled = _new_array_compiled if _empty_nd_impl is not None else _new_array
    dispatcher = _PlainTypesDispatcher(py_func=compiled, locals={},
                                       targetoptions=options)
    dispatcher.enable_caching()
    return dispatcher


new_array = _make_new_array()
