"""``python -m specc``: the same command line as the ``specc`` script."""

from specc.cli import console

console()
