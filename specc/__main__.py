"""``python -m specc``: the same command line as the ``specc`` script."""

import sys

from specc.cli import console, main

if sys.modules["__main__"].__dict__ is globals():  # the program itself (python -m specc)
    console()
else:  # run inside another program (runpy.run_module): its interpreter is not ours to end
    sys.exit(main())
