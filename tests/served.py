"""A directory served over HTTP by `pywasi-web serve`'s handler, for URL-mount tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pywasi_web.cli.serve import PlaygroundHandler


@contextmanager
def served(site: Path, base: type[PlaygroundHandler] | None = None) -> Iterator[str]:
    """`site/web` served as the playground serves web/ (by `base`, a subclass of its handler that
    changes what some paths answer, when given): the base URL."""
    from pywasi_web.cli.serve import PlaygroundHandler, make_server

    server = make_server(0, root=site, quiet=True, base=base or PlaygroundHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
