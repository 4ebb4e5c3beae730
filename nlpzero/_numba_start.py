"""Numba's first kernel call in a command-line process, without SciPy and cffi.

On the first call of any jitted function (compiled or loaded from the cache), Numba
loads its library of NumPy implementations, which imports ``scipy.linalg`` when SciPy
is installed (to check that a BLAS is there for ``np.dot`` and ``np.linalg``), and its
cffi support, which imports ``cffi`` and builds an ``FFI`` when cffi is installed.
Together that is about 0.2 to 0.3 s of CPU in every process, a large part of the
start-up of a short command, and no nlpzero kernel uses either: none calls linear
algebra, ``np.convolve`` or ``np.correlate`` (the only functions whose Numba
implementation changes when BLAS is missing: they use a plain loop), nor cffi.

:func:`load_numba_lean` therefore imports those two Numba modules while the packages
are hidden, so that Numba records them as absent, and then unhides them (the process
can still import them). Only the command line calls it: in a user's own process, their
kernels may need what it hides.
"""

from __future__ import annotations

import sys

#: Packages Numba imports on its first dispatch that no nlpzero kernel needs.
UNNEEDED = ("scipy.linalg", "cffi")


def load_numba_lean() -> None:
    """Import Numba's NumPy implementations and cffi support with :data:`UNNEEDED`
    hidden (seen as not installed). Does nothing to a package already imported."""
    hidden = [name for name in UNNEEDED if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # makes "import name" raise ImportError
    try:
        import numba.core.typing.cffi_utils  # noqa: F401
        import numba.np.arraymath  # noqa: F401
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
