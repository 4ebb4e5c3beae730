"""Atomic output files: a failed or interrupted run leaves no half-written file."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile

from .errors import InputError


@contextlib.contextmanager
def atomic_write(path, encoding: str = "utf-8", newline: str = "\n", binary: bool = False):
    """Open a temporary file beside `path`; rename it onto `path` only on success.

    ``"-"`` or None writes to standard output instead (never closed here). On any
    exception, KeyboardInterrupt included, the temporary file is deleted and the
    exception propagates.

    Parameters
    ----------
    path : str, os.PathLike or None
        Destination.
    encoding, newline : str
        Text-mode settings (ignored when `binary`).
    binary : bool
        Yield a binary file object.
    """
    if path is None or os.fspath(path) == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        sys.stdout.flush()
        return
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise InputError(f"cannot write {path}: directory {directory} does not exist")
    if os.path.isdir(path):
        raise InputError(f"cannot write {path}: it is a directory")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    try:
        if binary:
            f = os.fdopen(fd, "wb")
        else:
            f = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
