"""File-system safety that must be cheap to import (start-up path)."""

from __future__ import annotations

import os


def secure_umask() -> None:
    """Files we create are readable by their owner only."""
    if os.name != "nt":
        os.umask(0o077)
