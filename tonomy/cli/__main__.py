"""``python -m tonomy.cli``: the same as the ``tonomy`` command."""

import sys

from tonomy.cli import main

sys.exit(main())
