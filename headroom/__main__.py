"""``python -m headroom``: the same command line as ``headroom``."""

import sys

from headroom.cli import main

sys.exit(main())
