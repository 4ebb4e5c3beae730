"""Allow ``python -m nlpzero``."""
from .cli import run

run()
