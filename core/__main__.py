"""``python -m cordboard.core``: the same as the ``cordboard`` command."""

from __future__ import annotations

import sys

from cordboard.core.runner import main

sys.exit(main())
