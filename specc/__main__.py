"""``python -m specc``: the same command line as the ``specc`` script."""

import sys

from specc.cli import main

sys.exit(main())
