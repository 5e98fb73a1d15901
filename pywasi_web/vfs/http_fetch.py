"""The Fetcher of a URL mount on CPython: urllib, with a Range header for a span.

(The browser's worker has its own, pywasi_web/browser/fetcher.py: a synchronous XMLHttpRequest.)
"""

from __future__ import annotations

import urllib.error
import urllib.request

from pywasi_web.vfs.url import FetchError, answered_offset

TIMEOUT_SECONDS = 30


class UrllibFetcher:
    def fetch(self, url: str, span: tuple[int, int] | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(url)
        if span is not None:
            request.add_header("Range", f"bytes={span[0]}-{span[1] - 1}")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                start = answered_offset(response.status, response.headers.get("Content-Range"))
                return start, response.read()
        except urllib.error.HTTPError as error:
            raise FetchError(f"{error.code} {error.reason}") from None
        except (OSError, ValueError) as error:
            raise FetchError(str(getattr(error, "reason", error))) from None
