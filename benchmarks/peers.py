"""Peer libraries for the benchmarks, made importable without installing them.

* nlp-zero 0.1.6 (the original pure-Python toolkit, PyPI ``nlp-zero``): its
  distribution is fetched with ``pip download --no-deps`` into ``benchmarks/_peers/dl``,
  unpacked into ``benchmarks/_peers/nlp_zero_src`` and patched there for Python 3.11;
  that folder is then put at the front of ``sys.path``. Nothing is installed into
  site-packages and no file of the project is touched. ``benchmarks/_peers/`` is
  git-ignored.
* jieba 0.42 (an ordinary dependency of nlpzero): only checked.

Every step is idempotent: a second call finds the patched copy and only fixes
``sys.path``.

Usage::

    from peers import require_nlp_zero, require_jieba
    nlp_zero = require_nlp_zero()   # the patched module
    jieba = require_jieba()

or ``python benchmarks/peers.py`` to prepare the copy and print where it is.
"""

from __future__ import annotations

import glob
import importlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "_peers")
DOWNLOADS = os.path.join(PEERS, "dl")
NLP_ZERO_SRC = os.path.join(PEERS, "nlp_zero_src")
NLP_ZERO_VERSION = "0.1.6"
JIEBA_VERSION = "0.42"

# Marker written once the copy is unpacked and patched; it names the version and the
# patch level so that a change of either redoes the work.
_PATCH_LEVEL = "1"
_MARKER = os.path.join(NLP_ZERO_SRC, ".prepared")


class PeerUnavailable(RuntimeError):
    """A peer library could not be prepared."""


# ---------------------------------------------------------------------------
# nlp-zero


def _patch_source(text: str) -> tuple[str, list[str]]:
    """Make nlp-zero 0.1.6's module run on Python 3.10+. Returns the text and the
    list of changes made (each one a short description)."""
    done = []

    # 1. collections.Iterable moved to collections.abc (removed from collections in
    #    Python 3.10): `from collections import defaultdict, Iterable`.
    def fix_import(m):
        names = [n.strip() for n in m.group(1).split(",")]
        rest = [n for n in names if n != "Iterable"]
        out = []
        if rest:
            out.append("from collections import " + ", ".join(rest))
        out.append("from collections.abc import Iterable")
        return "\n".join(out)

    text, n = re.subn(r"^from collections import ([^\n]*\bIterable\b[^\n]*)$", fix_import,
                      text, flags=re.M)
    if n:
        done.append("collections.Iterable -> collections.abc.Iterable")

    # 2. The dictionary file is opened with the locale's encoding; it is UTF-8, so
    #    under a C/POSIX locale loading the default Tokenizer would fail.
    text, n = re.subn(r"open\(path_or_trie\)", "open(path_or_trie, encoding='utf-8')", text)
    if n:
        done.append("dictionary opened as UTF-8")

    # 3. A regular expression written as a plain string with "\d" (a DeprecationWarning
    #    now, a SyntaxWarning from 3.12): make it a raw string. Same pattern.
    old = "re.findall('[a-zA-Z\\d\\.]', w)"
    if old in text:
        text = text.replace(old, "re.findall(r'[a-zA-Z\\d\\.]', w)")
        done.append("raw string for a regex with \\d")
    return text, done


def _find_archive() -> str | None:
    pats = [f"nlp_zero-{NLP_ZERO_VERSION}-*.whl", f"nlp-zero-{NLP_ZERO_VERSION}.tar.gz",
            f"nlp_zero-{NLP_ZERO_VERSION}.tar.gz", f"nlp-zero-{NLP_ZERO_VERSION}.zip"]
    for pat in pats:
        hits = sorted(glob.glob(os.path.join(DOWNLOADS, pat)))
        if hits:
            return hits[0]
    return None


def _download() -> str:
    os.makedirs(DOWNLOADS, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
           f"nlp-zero=={NLP_ZERO_VERSION}", "-d", DOWNLOADS]
    print("peers: " + " ".join(cmd[2:]), file=sys.stderr)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    archive = _find_archive()
    if proc.returncode != 0 or archive is None:
        raise PeerUnavailable(f"pip download of nlp-zero=={NLP_ZERO_VERSION} failed "
                              f"(exit {proc.returncode}):\n{proc.stdout[-2000:]}")
    return archive


def _unpack(archive: str, dest: str) -> None:
    """Unpack a wheel or an sdist into `dest`, refusing members that leave it."""
    root = os.path.realpath(dest)

    def safe(name: str) -> bool:
        target = os.path.realpath(os.path.join(root, name))
        return target == root or target.startswith(root + os.sep)

    if archive.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                if not safe(name):
                    raise PeerUnavailable(f"{archive}: unsafe member {name!r}")
            z.extractall(dest)
    else:
        with tarfile.open(archive) as t:
            members = []
            for m in t.getmembers():
                if not safe(m.name) or m.issym() or m.islnk() or m.isdev():
                    raise PeerUnavailable(f"{archive}: unsafe member {m.name!r}")
                members.append(m)
            if hasattr(tarfile, "data_filter"):
                t.extractall(dest, members=members, filter="data")
            else:
                t.extractall(dest, members=members)


def _prepared() -> bool:
    try:
        with open(_MARKER, encoding="utf-8") as f:
            return f.read().split() == [NLP_ZERO_VERSION, _PATCH_LEVEL]
    except OSError:
        return False


def prepare_nlp_zero(quiet: bool = False) -> str:
    """Download, unpack and patch nlp-zero 0.1.6 (once); return the folder to put on
    sys.path (it holds the package ``nlp_zero``)."""
    if _prepared():
        return NLP_ZERO_SRC
    archive = _find_archive() or _download()
    os.makedirs(PEERS, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="nlp_zero_", dir=PEERS)
    try:
        _unpack(archive, tmp)
        pkgs = [os.path.dirname(p) for p in
                glob.glob(os.path.join(tmp, "**", "nlp_zero", "__init__.py"), recursive=True)]
        if not pkgs:
            raise PeerUnavailable(f"{archive}: no nlp_zero package inside")
        staged = os.path.join(tmp, "_staged")
        os.makedirs(staged)
        shutil.copytree(pkgs[0], os.path.join(staged, "nlp_zero"))
        changes = []
        for path in glob.glob(os.path.join(staged, "nlp_zero", "*.py")):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            new, done = _patch_source(text)
            if new != text:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(new)
                changes += [f"{os.path.basename(path)}: {d}" for d in done]
        if not any("collections.abc" in c for c in changes):
            raise PeerUnavailable("nlp-zero source did not have the expected "
                                  "`from collections import ... Iterable` line")
        with open(os.path.join(staged, ".prepared"), "w", encoding="utf-8") as f:
            f.write(f"{NLP_ZERO_VERSION} {_PATCH_LEVEL}\n")
        with open(os.path.join(staged, "PATCHES.txt"), "w", encoding="utf-8") as f:
            f.write(f"nlp-zero {NLP_ZERO_VERSION} from {os.path.basename(archive)}, patched:\n")
            f.writelines(f"- {c}\n" for c in changes)
        if os.path.isdir(NLP_ZERO_SRC):
            shutil.rmtree(NLP_ZERO_SRC)
        os.replace(staged, NLP_ZERO_SRC)
        if not quiet:
            print(f"peers: nlp-zero {NLP_ZERO_VERSION} ready in {NLP_ZERO_SRC} "
                  f"({'; '.join(changes)})", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return NLP_ZERO_SRC


def require_nlp_zero(quiet: bool = False):
    """Prepare the patched copy if needed, put it on sys.path, and import it."""
    src = prepare_nlp_zero(quiet=quiet)
    if src not in sys.path:
        sys.path.insert(0, src)
    module = importlib.import_module("nlp_zero")
    where = os.path.realpath(os.path.dirname(module.__file__))
    if not where.startswith(os.path.realpath(src) + os.sep):
        raise PeerUnavailable(f"imported nlp_zero from {where}, not from the patched copy "
                              f"in {src}; is another nlp_zero installed?")
    return module


# ---------------------------------------------------------------------------
# jieba


def require_jieba():
    """Import jieba, checking that it is version 0.42.x."""
    try:
        import jieba
    except ImportError:
        raise PeerUnavailable("jieba is not installed: pip install 'jieba>=0.42'") from None
    version = getattr(jieba, "__version__", "?")
    if not str(version).startswith(JIEBA_VERSION):
        raise PeerUnavailable(f"the benchmarks compare with jieba {JIEBA_VERSION}, "
                              f"found {version}")
    return jieba


def jieba_dict_path() -> str:
    jieba = require_jieba()
    return os.path.join(os.path.dirname(jieba.__file__), "dict.txt")


if __name__ == "__main__":
    nz = require_nlp_zero()
    jb = require_jieba()
    print(f"nlp-zero {NLP_ZERO_VERSION}: {os.path.dirname(nz.__file__)}")
    with open(os.path.join(NLP_ZERO_SRC, "PATCHES.txt"), encoding="utf-8") as f:
        print(f.read().rstrip())
    print(f"jieba {jb.__version__}: {os.path.dirname(jb.__file__)}")
