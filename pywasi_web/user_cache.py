"""Where pywasi_web keeps what it can rebuild (compiled guests, compiled modules): outside git."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir() -> Path:
    """$PYWASI_WEB_CACHE, else ~/.cache/pywasi_web."""
    root = os.environ.get("PYWASI_WEB_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "pywasi_web")
    return Path(root)
