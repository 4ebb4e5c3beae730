"""Atomic output files: a failed or interrupted run leaves no half-written file.

Output goes to a temporary file in the destination's directory (so that the final
rename stays on one file system and is atomic) and is renamed onto the destination
only once everything has been written. Until then an older file of the same name is
left untouched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from typing import IO, Iterator

from .errors import InputError


def open_input(path: str, what: str = "") -> IO[bytes]:
    """Open a file to read its bytes, or raise one clear InputError line.

    `what` names what the file should have been (``"a lexicon"``), for the message
    about a directory.
    """
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"cannot read {path}: it is a directory"
                         + (f", not {what}" if what else "")) from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def atomic_write(path, encoding: str = "utf-8", newline: str = "\n",
                 binary: bool = False) -> Iterator[IO]:
    """Write a file atomically: all of it appears at `path`, or nothing does.

    The file object writes to a temporary file ``.<name>.XXXX.tmp`` beside `path`.
    When the ``with`` block ends normally the data is flushed to disk and the
    temporary file is renamed onto `path` (replacing any existing file). When it ends
    with any exception, KeyboardInterrupt included, the temporary file is deleted,
    `path` is left as it was, and the exception propagates.

    Parameters
    ----------
    path : str, os.PathLike or None
        Destination. ``"-"`` or None writes to standard output instead, which is
        flushed but never closed, and is not atomic.
    encoding : str, default "utf-8"
        Text encoding (ignored when `binary`, and for standard output, which keeps
        its own settings).
    newline : str, default "\\n"
        Line ending written for each ``"\\n"`` (ignored when `binary` or for standard
        output).
    binary : bool, default False
        Yield a binary file object instead of a text one.

    Yields
    ------
    file object
        Text (or, when `binary`, binary) file open for writing.

    Raises
    ------
    InputError
        When the destination directory does not exist, `path` is a directory, or the
        temporary file cannot be created (e.g. permission denied).

    Examples
    --------
    >>> with atomic_write("words.txt") as f:  # doctest: +SKIP
    ...     f.write("中国 3\\n")
    """
    if _is_stdout(path):
        out = sys.stdout.buffer if binary else sys.stdout
        yield out
        out.flush()
        return
    path = os.fspath(path)
    directory = existing_directory_of(path)
    fd, tmp_path = _make_temporary_file(path, directory)
    try:
        f = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding,
                                                         newline=newline)
    except BaseException:
        os.close(fd)
        _remove_quietly(tmp_path)
        raise
    try:
        with f:
            yield f
            f.flush()
            # Without fsync a crash soon after the rename can leave an empty file at
            # `path` on some file systems: the rename reaches the disk before the data.
            os.fsync(f.fileno())
        _copy_permissions(path, tmp_path)
        os.replace(tmp_path, path)
    except BaseException:
        _remove_quietly(tmp_path)
        raise


def atomic_write_bytes(path) -> contextlib.AbstractContextManager[IO[bytes]]:
    """Binary version of :func:`atomic_write`: ``atomic_write(path, binary=True)``.

    Parameters
    ----------
    path : str, os.PathLike or None
        Destination; ``"-"`` or None writes to standard output's binary buffer.

    Returns
    -------
    context manager
        Yields a binary file object.
    """
    return atomic_write(path, binary=True)


def _is_stdout(path) -> bool:
    return path is None or (isinstance(path, str) and path == "-")


def existing_directory_of(path: str) -> str:
    """The directory that will hold `path`, which must exist (we never create it)."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        shown = os.path.dirname(path) or directory
        raise InputError(f"cannot write {path}: directory {shown} does not exist")
    if os.path.isdir(path):
        raise InputError(f"cannot write {path}: it is a directory")
    return directory


def _make_temporary_file(path: str, directory: str) -> tuple[int, str]:
    # The leading dot hides the temporary file from `ls` and from globs such as *.txt
    # that another program might be watching.
    prefix = f".{os.path.basename(path)}."
    try:
        return tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _copy_permissions(path: str, tmp_path: str) -> None:
    """Give the new file the mode a plain ``open(path, "w")`` would have given it.

    mkstemp creates files readable by their owner only; without this every output
    file would silently become private. An existing file keeps its mode.
    """
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = 0o666 & ~_current_umask()
    with contextlib.suppress(OSError):
        os.chmod(tmp_path, mode)


def _current_umask() -> int:
    # The umask can only be read by setting it; put it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


@contextlib.contextmanager
def temporary_directory(prefix: str, dir: str | None = None) -> Iterator[str]:
    """A new folder (in `dir`, default the system's temporary folder), removed with its
    files when the block ends, whatever happens (see :func:`remove_tree`)."""
    folder = tempfile.mkdtemp(prefix=prefix, dir=dir)
    try:
        yield folder
    finally:
        remove_tree(folder)


def remove_tree(folder: str) -> None:
    """Remove a folder and its files. A stop signal (Ctrl-C, SIGTERM) that arrives during
    the removal, as a run ends, would leave the rest behind: the removal is finished
    first, then the signal's exception goes on (the command line takes only the first
    signal, so the second attempt runs to the end)."""
    try:
        shutil.rmtree(folder, ignore_errors=True)
    except KeyboardInterrupt:
        shutil.rmtree(folder, ignore_errors=True)
        raise
