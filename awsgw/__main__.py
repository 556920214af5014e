"""``python -m awsgw``."""

import sys

from awsgw.cli import main

sys.exit(main())
