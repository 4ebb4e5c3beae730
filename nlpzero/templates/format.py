"""Templates as Python objects and their file format.

Template files (:meth:`TemplateSet.save`, :meth:`TemplateSet.load`) are UTF-8 text:
a header line ``# nlpzero templates 1``, then one ``template<TAB>count[<TAB>trivial]``
line per template, most frequent first. A template is its tokens separated by single
spaces, ``X`` being a placeholder; a word that is literally ``X`` or starts with a
backslash is written with one more backslash in front.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

import numpy as np

from .._io import atomic_write
from ..errors import FormatError, InputError

#: The placeholder in a template tuple.
PLACEHOLDER = None
#: First line of a template file; the number is the format version.
FILE_HEADER = "# nlpzero templates 1"

Template = tuple  # a tuple of words (str) and placeholders (None)

#: What a word must not hold.
WHITESPACE = re.compile(r"\s")


# ---------------------------------------------------------------------------
# Templates as Python objects


def is_trivial(template: Template) -> bool:
    """True for ``X w X``: one word between two placeholders."""
    return len(template) == 3 and template[0] is None and template[2] is None \
        and template[1] is not None


def template_text(template: Template, placeholder: str = "X") -> str:
    """Compact display form, e.g. ``X的X`` (ambiguous when a word is ``X``)."""
    return "".join(placeholder if t is None else t for t in template)


def make_template(tokens: Iterable) -> Template:
    """Validate tokens (words and None) into a template tuple; consecutive
    placeholders collapse into one.

    Raises
    ------
    InputError
        When a token is not None or a non-empty str without whitespace, or when the
        template has no word.
    """
    out = []
    for t in tokens:
        if t is None:
            if not out or out[-1] is not None:
                out.append(None)
            continue
        if not isinstance(t, str) or not t or WHITESPACE.search(t):
            raise InputError(f"a template word must be a non-empty str without whitespace, "
                             f"not {t!r}")
        out.append(t)
    if all(t is None for t in out):
        raise InputError("a template needs at least one word")
    return tuple(out)


def _tie_key(template: Template) -> tuple:
    # order of templates of equal count: by their words, a placeholder first
    return tuple(["" if x is None else x for x in template])


def _ordered(counts: dict) -> dict:
    """`counts` from the most frequent template to the least, ties by their words."""
    order = sorted(counts, key=_tie_key)
    order.sort(key=counts.__getitem__, reverse=True)
    return {t: counts[t] for t in order}


def _encode_token(t) -> str:
    if t is None:
        return "X"
    if t == "X" or t.startswith("\\"):
        return "\\" + t
    return t


def _decode_token(s: str):
    if s == "X":
        return None
    if s.startswith("\\"):
        return s[1:]
    return s


class TemplateSet(Mapping):
    """Templates with their counts: a read-only mapping ``template -> count``.

    A template is a tuple of words (str) and placeholders (None), e.g.
    ``(None, "的", None)``. Iteration goes from the most frequent template to the
    least (ties by display text).

    Parameters
    ----------
    templates : mapping or iterable of (template, count)
        Templates (any iterable of tokens; validated by :func:`make_template`) and
        positive integer counts. Repeated templates have their counts added.
    """

    def __init__(self, templates: Mapping | Iterable | None = None):
        counts: dict = {}
        if templates is not None:
            items = templates.items() if isinstance(templates, Mapping) else templates
            for t, c in items:
                t = make_template(t)
                if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or c <= 0:
                    raise InputError(f"the count of template {template_text(t)!r} must be a "
                                     f"positive integer, not {c!r}")
                counts[t] = counts.get(t, 0) + int(c)
        self._counts = _ordered(counts)

    @classmethod
    def from_mined(cls, counts: dict) -> "TemplateSet":
        """The set of `counts`, templates as mining makes them (valid template tuples,
        positive int counts, each once), put in order without being checked again."""
        result = cls.__new__(cls)
        result._counts = _ordered(counts)
        return result

    def __getitem__(self, template) -> int:
        return self._counts[tuple(template)]

    def __iter__(self) -> Iterator[Template]:
        return iter(self._counts)

    def __len__(self) -> int:
        return len(self._counts)

    def __repr__(self) -> str:
        head = ", ".join(f"{template_text(t)}: {c}" for t, c in list(self._counts.items())[:5])
        return f"TemplateSet({len(self)} templates: {head}{', ...' if len(self) > 5 else ''})"

    @property
    def total(self) -> int:
        """Sum of the counts."""
        return sum(self._counts.values())

    def most_common(self, n: int | None = None) -> list[tuple[Template, int]]:
        """``(template, count)`` pairs, most frequent first (all, or the first `n`)."""
        items = list(self._counts.items())
        return items if n is None else items[:n]

    def nontrivial(self) -> "TemplateSet":
        """The templates that are not trivial (see :func:`is_trivial`)."""
        return TemplateSet({t: c for t, c in self._counts.items() if not is_trivial(t)})

    def save(self, path) -> None:
        """Write the template file (see the module docstring), atomically.

        Parameters
        ----------
        path : str or os.PathLike
            Destination; ``"-"`` writes to standard output.
        """
        lines = [FILE_HEADER]
        for t, c in self._counts.items():
            line = " ".join(map(_encode_token, t)) + f"\t{c}"
            lines.append(line + "\ttrivial" if is_trivial(t) else line)
        text = "\n".join(lines) + "\n"
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise FormatError("cannot save templates: a word is not encodable in UTF-8") from None
        with atomic_write(path) as f:
            f.write(text)

    @classmethod
    def load(cls, path) -> "TemplateSet":
        """Read a template file written by :meth:`save`.

        Raises
        ------
        InputError
            When the file is missing or unreadable.
        FormatError
            When it is not a template file: no header, invalid UTF-8, binary data, a
            line without a template and a positive count, a wrong ``trivial`` mark, a
            repeated template, or no template at all.
        """
        from ..lexicon import read_bytes

        name, data = read_bytes(path)
        if b"\x00" in data:
            raise FormatError(f"{name}: NUL byte: this is a binary file, not templates")
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise FormatError(f"{name}, line {line}: invalid UTF-8 at byte offset "
                              f"{exc.start}") from None
        lines = text.splitlines()
        if not lines or lines[0].strip() != FILE_HEADER:
            raise FormatError(f"{name}: not a template file (the first line must be "
                              f"{FILE_HEADER!r})")
        counts = {}
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            where = f"{name}, line {number}"
            if len(fields) not in (2, 3) or (len(fields) == 3 and fields[2] != "trivial"):
                raise FormatError(f"{where}: expected 'template<TAB>count[<TAB>trivial]'")
            tokens = [_decode_token(s) for s in fields[0].split(" ")]
            if any(t == "" for t in tokens) or not any(t is not None for t in tokens) or any(
                    a is None and b is None for a, b in zip(tokens, tokens[1:])):
                raise FormatError(f"{where}: bad template {fields[0]!r} (words separated by "
                                  f"single spaces, X a placeholder, at least one word)")
            t = tuple(tokens)
            if not fields[1].isascii() or not fields[1].isdigit() or int(fields[1]) <= 0:
                raise FormatError(f"{where}: the count must be a positive integer, "
                                  f"not {fields[1]!r}")
            if (len(fields) == 3) != is_trivial(t):
                raise FormatError(f"{where}: the 'trivial' mark does not fit the template")
            if t in counts:
                raise FormatError(f"{where}: template {fields[0]!r} is repeated")
            counts[t] = int(fields[1])
        if not counts:
            raise FormatError(f"{name}: no templates in the file")
        return cls(counts)
