"""The Fetcher of a URL mount in the worker: a synchronous XMLHttpRequest.

A guest's read is a synchronous call, and a URL mount must answer it in every blocking mode
(JSPI, Atomics.wait, none). A synchronous XMLHttpRequest is allowed in a worker, blocks only the
worker (which runs the guest anyway), takes a Range header and returns bytes, so it needs neither
JSPI nor a relay through the page. Importable on CPython (for type checking); `js` is imported
only when used.
"""

from __future__ import annotations

from pywasi_web.vfs.url import FetchError, answered_offset


class XhrFetcher:
    def fetch(self, url: str, span: tuple[int, int] | None = None) -> tuple[int, bytes]:
        import js
        from pyodide.ffi import JsException

        request = js.XMLHttpRequest.new()
        try:
            request.open("GET", url, False)
            request.responseType = "arraybuffer"
            if span is not None:
                request.setRequestHeader("Range", f"bytes={span[0]}-{span[1] - 1}")
            request.send()
        except JsException as error:  # no answer: the network, CORS, a bad URL
            raise FetchError(str(error.message or error)) from None
        status = int(request.status)
        if not 200 <= status < 300:
            raise FetchError(f"{status} {request.statusText}".strip())
        data = bytes(js.Uint8Array.new(request.response).to_bytes())
        return answered_offset(status, request.getResponseHeader("Content-Range")), data
