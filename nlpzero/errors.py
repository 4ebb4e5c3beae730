"""Exceptions raised by nlpzero.

Every error a user can cause (a missing file, bad bytes, a corrupt lexicon) is an
:class:`NlpzeroError`; the command line turns it into one line on stderr and a
non-zero exit status.
"""


class NlpzeroError(Exception):
    """Base class of all errors nlpzero raises on purpose."""


class InputError(NlpzeroError, ValueError):
    """Input text that cannot be read: missing path, invalid UTF-8, binary data."""


class FormatError(NlpzeroError, ValueError):
    """A lexicon, model or vector file that does not follow its format."""


class DatasetUnavailable(NlpzeroError, ImportError):
    """A built-in dataset whose optional package is not installed."""


class WorkerError(NlpzeroError, RuntimeError):
    """A worker process that ended without finishing its job (killed, out of memory)."""
