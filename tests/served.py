"""A directory served over HTTP by `pywasi-web serve`'s handler, for URL-mount tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def served(site: Path) -> Iterator[str]:
    """`site/web` served as the playground serves web/: the base URL."""
    from pywasi_web.cli.serve import make_server

    server = make_server(0, root=site, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
