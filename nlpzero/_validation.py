"""Checks of the parameters of the public API, shared so that the same misuse raises
the same error everywhere: an :class:`~nlpzero.errors.InputError` (a ``ValueError``)
with a message that names the parameter, the rule and the value given.

A wrong *type* of text (not a ``str``) stays a ``TypeError``, as in Python itself.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import InputError

#: The ways to handle bytes that are not UTF-8.
ERRORS = ("strict", "replace")


def check_int(name: str, value, lo: int = 1, hi: int | None = None) -> int:
    """`value` as an int, if it is an integer (not a bool) from `lo` to `hi`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo \
            or (hi is not None and value > hi):
        rule = f">= {lo}" if hi is None else f"from {lo} to {hi}"
        raise InputError(f"{name} must be an integer {rule}, not {value!r}")
    return int(value)


def check_number(name: str, value) -> float:
    """`value` as a float, if it is a finite real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value):
        raise InputError(f"{name} must be a finite number, not {value!r}")
    return float(value)


def check_choice(name: str, value, choices) -> str:
    """`value`, if it is one of `choices`."""
    if value not in choices:
        raise InputError(f"{name} must be one of {', '.join(map(repr, choices))}, not {value!r}")
    return value


def check_errors(errors) -> str:
    """How to handle bytes that are not UTF-8: "strict" or "replace"."""
    return check_choice("errors", errors, ERRORS)


def check_workers(workers) -> int:
    """A number of worker processes (at least 1)."""
    return check_int("workers", workers, 1)
