"""Running the command line from the tests: in this process (`run`, with pytest's
capsys) or as a whole process (`run_cli`, ``python -m nlpzero`` on this checkout)."""

import os
import subprocess
import sys

from nlpzero.cli import main

_CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(argv, capsys):
    """``nlpzero argv`` in this process: (exit status, stdout, stderr)."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def run_cli(*args, input=None, cwd=None):
    """``python -m nlpzero args`` in a new process, the package of this checkout first
    on its path; the CompletedProcess, output as text."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (_CHECKOUT, os.environ.get("PYTHONPATH")) if p))
    return subprocess.run([sys.executable, "-m", "nlpzero", *args], capture_output=True,
                          text=True, input=input, cwd=cwd, env=env, timeout=600)
