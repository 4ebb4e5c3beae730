"""Intermediate arrays of a partitioned run, kept in files of a local folder.

A step's partition function saves what later steps need (:class:`Spill`), so that they
neither decode the text again nor redo its look-ups; a local worker hands its folded
result to the driver the same way (:func:`stash`, :func:`unstash`): the driver loads
.npy files from the page cache faster than it would unpickle them from a pipe. Arrays
are saved with :func:`numpy.save` and loaded without pickles.
"""

from __future__ import annotations

import errno
import os

import numpy as np

from ..errors import InputError


def save_array(path: str, array: np.ndarray) -> None:
    """:func:`numpy.save`, with one clear error when the folder's disk is full."""
    try:
        np.save(path, array)
    except OSError as exc:
        # NumPy reports a short write without an errno ("N requested and M written").
        if exc.errno != errno.ENOSPC and "requested and" not in str(exc):
            raise
        # The run's own folder goes with the run: name the one the user chose.
        chosen = os.path.dirname(os.path.dirname(os.path.abspath(path)))
        raise InputError(f"no space left for intermediate files in {chosen}: choose a folder "
                         f"with more room (spill_dir, --spill-dir)") from None


class Spill:
    """Arrays a partition computed in earlier steps, in files of a local folder. With no
    folder (on a cluster, where the next step may run elsewhere) nothing is kept and
    :meth:`load` gives None: the arrays are computed again."""

    def __init__(self, folder: str | None):
        self.folder = folder

    def path(self, index: int, name: str) -> str:
        """The file of array `name` of partition `index`."""
        return os.path.join(self.folder, f"part{index}.{name}.npy")

    def save(self, index: int, name: str, array: np.ndarray) -> None:
        if self.folder is not None:
            save_array(self.path(index, name), array)

    def load(self, index: int, name: str, mmap: bool = False) -> np.ndarray | None:
        """The saved array (memory-mapped with `mmap`, so that a slice is read alone),
        or None without a folder."""
        if self.folder is None:
            return None
        return np.load(self.path(index, name), mmap_mode="r" if mmap else None,
                       allow_pickle=False)

    def remove(self, index: int, name: str) -> None:
        if self.folder is not None:
            os.remove(self.path(index, name))


def stash(result, folder: str, name: str):
    """A folded result saved as .npy files in `folder`, for :func:`unstash`.

    `result` is a tuple of arrays (or an iterable of them), or an object with a
    ``to_arrays()`` method and a ``from_arrays(arrays)`` class method, which
    :func:`unstash` rebuilds."""
    rebuild = type(result) if hasattr(result, "from_arrays") else None
    arrays = result.to_arrays() if rebuild is not None else result
    paths = []
    for i, array in enumerate(arrays):
        paths.append(os.path.join(folder, f"{name}.result{i}.npy"))
        save_array(paths[-1], np.asarray(array))
    return rebuild, paths


def unstash(stashed):
    """The result :func:`stash` saved (a tuple of arrays, or the object rebuilt); its
    files are removed."""
    rebuild, paths = stashed
    arrays = []
    for path in paths:
        arrays.append(np.load(path, allow_pickle=False))
        os.remove(path)
    return rebuild.from_arrays(tuple(arrays)) if rebuild is not None else tuple(arrays)
