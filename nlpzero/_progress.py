"""Progress bars on stderr: tqdm's, imported when the first bar is made."""

from __future__ import annotations

_bar_class = None


def progress_bar(iterable=None, **options):
    """``tqdm(iterable, **options)``, as a bar that a stop signal cannot turn into a
    traceback: Ctrl-C or SIGTERM raised inside tqdm's constructor leaves a half-built
    bar, and tqdm's finaliser would then report an ignored AttributeError on stderr."""
    global _bar_class
    if _bar_class is None:
        from tqdm import tqdm

        class _Bar(tqdm):
            def __del__(self):
                if hasattr(self, "pos"):  # set near the end of the constructor
                    super().__del__()

        _bar_class = _Bar
    return _bar_class(iterable, **options)
