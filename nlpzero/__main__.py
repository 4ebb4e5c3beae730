"""Allow ``python -m nlpzero``."""
from .cli import main

raise SystemExit(main())
