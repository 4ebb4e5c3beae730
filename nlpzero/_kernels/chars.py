"""Character classes: tables indexed by code point (1.1 MB each, built once), which
kernels take as arguments.

:data:`CHAR_CLASS` gives the class of every code point (Han, digit, Latin letter, a
number's inner point, a hyphen, other); :data:`NUMBER_UNIT` marks the units written with
the number before them, :data:`RUN_PUNCT` the marks that form one token as a run,
:data:`IS_INTERPUNCT` the dots inside a transliterated name, and :data:`IS_SPACE` the code
points ``str.isspace()`` accepts.
"""

from __future__ import annotations

import numpy as np

#: Character classes stored in :data:`CHAR_CLASS`.
OTHER, HAN, DIGIT, LATIN, POINT, HYPHEN = 0, 1, 2, 3, 4, 5

# Unicode blocks of Han ideographs (unified, extensions A to I, compatibility) plus
# U+3007 IDEOGRAPHIC NUMBER ZERO, which Chinese text uses inside numerals like 二〇〇八.
_HAN_RANGES = (
    (0x3007, 0x3007),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EE5F),
    (0x2F800, 0x2FA1F),
    (0x30000, 0x323AF),
)


def _build_char_class() -> np.ndarray:
    table = np.zeros(0x110000, dtype=np.uint8)
    for lo, hi in _HAN_RANGES:
        table[lo:hi + 1] = HAN
    table[ord("0"):ord("9") + 1] = DIGIT
    table[0xFF10:0xFF19 + 1] = DIGIT  # full-width digits
    table[ord("A"):ord("Z") + 1] = LATIN
    table[ord("a"):ord("z") + 1] = LATIN
    table[0xFF21:0xFF3A + 1] = LATIN  # full-width capitals
    table[0xFF41:0xFF5A + 1] = LATIN  # full-width small letters
    # Inner separators of one number: decimal points (PKU text writes 3·5 for 3.5),
    # times (10:30) and fractions or dates (1/2, 2024/1/1).
    for ch in ".\uFF0E\u00B7\u2236:/\uFF0F":
        table[ord(ch)] = POINT
    # Hyphens and dashes that join the parts of a code (COVID-19, ＣＤ—ＲＯＭ, Ｆ—１６).
    for ch in "-\u2010\u2011\u2013\u2014\uFF0D":
        table[ord(ch)] = HYPHEN
    return table


#: Class of every code point, indexed by code point (1.1 MB, built once).
CHAR_CLASS = _build_char_class()


#: Characters that belong to the number just before them: dates and times (１９９７年,
#: １２月, ３１日, １０时), magnitudes (３万, ５亿) and percentages (５％). Segmentation
#: standards (PKU, CTB) write these as one word, and a learner that saw the unit as the
#: start of a Han run would glue it to the next word (日电 in "１３日电"). 年 joins a year
#: of four digits only: after a shorter number it counts years (３ 年, ９０ 年代), and so
#: does 秒, which is no unit here (３０ 秒), as the standards write them.
NUMBER_UNITS = "年月日时時万萬亿億%％‰"


def _build_unit_table(units: str) -> np.ndarray:
    table = np.zeros(0x110000, dtype=np.bool_)
    for ch in units:
        table[ord(ch)] = True
    return table


#: True for the code points of :data:`NUMBER_UNITS`.
NUMBER_UNIT = _build_unit_table(NUMBER_UNITS)

#: The interpuncts that join the parts of a transliterated name (比尔·盖茨).
INTERPUNCTS = "\u00B7\u30FB\u2022\uFF65"
#: True at the code points of :data:`INTERPUNCTS`.
IS_INTERPUNCT = _build_unit_table(INTERPUNCTS)

#: Punctuation marks written as a run of one repeated character (the dash ——, the
#: ellipsis ……, ~~~, ...): a run of one of them is a single token.
RUN_PUNCTUATION = "\u2014\u2026\u2500-\uFF0D~\uFF5E.\u3002\u00B7"
RUN_PUNCT = _build_unit_table(RUN_PUNCTUATION)


def _space_table() -> np.ndarray:
    table = np.zeros(0x110000, dtype=np.bool_)
    for cp in list(range(0x09, 0x0E)) + list(range(0x1C, 0x21)) + [
            0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000] + list(range(0x2000, 0x200B)):
        table[cp] = True
    return table


#: Code points that str.isspace() accepts.
IS_SPACE = _space_table()
