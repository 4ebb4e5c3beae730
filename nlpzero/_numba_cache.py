"""Where Numba caches the compiled kernels: never inside the installed package.

Numba's default for ``cache=True`` is a ``__pycache__`` folder beside the module, i.e.
inside site-packages. pip does not own those files, so an upgrade or reinstall leaves
the folder behind, where it can shadow the reinstalled package. :func:`configure`
therefore points Numba at a folder of its own before any kernel is defined:

1. ``NUMBA_CACHE_DIR`` when the user has set it (honoured as is);
2. else ``$XDG_CACHE_HOME/nlpzero/numba-<version>-<sources>`` (``~/.cache`` when unset),
   where ``<sources>`` is a digest of the package's source files: Numba checks a cached
   kernel against its own module's file only, so a kernel that inlines a function of
   another module would outlive a change to that function (an editable install, a
   reinstall from a newer checkout of the same version). Folders of other sources unused
   for :data:`STALE_DAYS` days are removed;
3. else, when that cannot be created or written (a read-only home), a per-user folder
   in the system's temporary folder;
4. else (nothing writable at all) Numba's own fallbacks apply.

This module imports nothing from numba, so that it runs before numba reads its
configuration.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import time

def _writable_dir(path: str) -> bool:
    try:
        os.makedirs(path, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


#: A cache folder of other sources that has not been used for this many days is removed.
STALE_DAYS = 14


def sources_digest(package: str | None = None) -> str:
    """Short digest of the paths and contents of the package's ``.py`` files (a few
    milliseconds: the sources are under a megabyte)."""
    package = package or os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.sha1()
    for root, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(root, name)
            digest.update(os.path.relpath(path, package).encode("utf-8") + b"\0")
            try:
                with open(path, "rb") as f:
                    digest.update(f.read())
            except OSError:
                continue
    return digest.hexdigest()[:12]


def default_cache_dir(version: str) -> str:
    """``$XDG_CACHE_HOME/nlpzero/numba-<version>-<sources>``, ``~/.cache`` when
    XDG_CACHE_HOME is unset."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "nlpzero", f"numba-{version}-{sources_digest()}")


def _temp_cache_dir(version: str) -> str:
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return os.path.join(tempfile.gettempdir(), f"nlpzero-{user}",
                        f"numba-{version}-{sources_digest()}")


def _mark_used_and_prune(chosen: str) -> None:
    """Touch the folder in use (its time is its last use) and remove the sibling
    ``numba-*`` folders unused for :data:`STALE_DAYS` days (older versions and sources)."""
    try:
        os.utime(chosen)
        parent = os.path.dirname(chosen)
        limit = time.time() - STALE_DAYS * 86400
        for name in os.listdir(parent):
            path = os.path.join(parent, name)
            if (name.startswith("numba-") and path != chosen and os.path.isdir(path)
                    and os.path.getmtime(path) < limit):
                shutil.rmtree(path, ignore_errors=True)
    except OSError:
        pass  # a cache that cannot be tidied is no error


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
                _mark_used_and_prune(chosen)
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
