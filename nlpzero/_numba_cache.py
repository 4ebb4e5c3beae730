"""Where Numba caches the compiled kernels: never inside the installed package.

Numba's default for ``cache=True`` is a ``__pycache__`` folder beside the module, i.e.
inside site-packages. pip does not own those files, so an upgrade or reinstall leaves
the folder behind, where it can shadow the reinstalled package. :func:`configure`
therefore points Numba at a folder of its own before any kernel is defined:

1. ``NUMBA_CACHE_DIR`` when the user has set it (honoured as is);
2. else ``$XDG_CACHE_HOME/nlpzero/numba-<version>`` (``~/.cache`` when unset);
3. else, when that cannot be created or written (a read-only home), a per-user folder
   in the system's temporary folder;
4. else (nothing writable at all) Numba's own fallbacks apply.

This module imports nothing from numba, so that it runs before numba reads its
configuration.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile

def _writable_dir(path: str) -> bool:
    try:
        os.makedirs(path, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def default_cache_dir(version: str) -> str:
    """``$XDG_CACHE_HOME/nlpzero/numba-<version>``, ``~/.cache`` when XDG_CACHE_HOME is unset."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "nlpzero", f"numba-{version}")


def _temp_cache_dir(version: str) -> str:
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return os.path.join(tempfile.gettempdir(), f"nlpzero-{user}", f"numba-{version}")


def configure(version: str) -> str | None:
    """Choose Numba's cache folder (see the module's docstring) and return it, or None
    when no folder is writable.

    Sets ``NUMBA_CACHE_DIR`` in the environment (inherited by worker processes) and,
    when numba is already imported, its ``config.CACHE_DIR``.
    """
    chosen = os.environ.get("NUMBA_CACHE_DIR") or None
    if chosen is None:
        for candidate in (default_cache_dir(version), _temp_cache_dir(version)):
            if _writable_dir(candidate):
                chosen = candidate
                break
    elif not _writable_dir(chosen):
        chosen = None
    if chosen is not None:
        os.environ["NUMBA_CACHE_DIR"] = chosen
        numba_config = sys.modules.get("numba.core.config")
        if numba_config is not None:
            numba_config.CACHE_DIR = chosen
    return chosen


def is_cold() -> bool:
    """Whether no nlpzero kernel is cached yet in the folder in use (a first run, which
    compiles). True when no folder is in use."""
    cache_dir = os.environ.get("NUMBA_CACHE_DIR")
    if not cache_dir:
        return True
    package = os.path.dirname(os.path.abspath(__file__))
    # Numba caches a module's kernels in "<folder name>_<sha1 of the folder's path>".
    for root, _, _ in os.walk(package):
        folder = f"{os.path.basename(root)}_{hashlib.sha1(root.encode()).hexdigest()}"
        try:
            if any(f.endswith(".nbi") for f in os.listdir(os.path.join(cache_dir, folder))):
                return False
        except OSError:
            continue
    return True
