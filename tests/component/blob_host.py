"""The host side of example:res/blobs (tests/component/guests/res.wit): a Python object is the
blob resource's representation. Plain Python with no imports, so the browser test ships this file
into Pyodide (playwright/component_probe.py) and both hosts use the same classes."""

from __future__ import annotations


class Blob:
    """example:res/blobs' blob."""

    def __init__(self, data: bytes) -> None:
        self.data = bytes(data)
        self.dropped = False

    def size(self) -> int:
        return len(self.data)

    def read(self) -> bytes:
        return self.data

    @staticmethod
    def merge(a: Blob, b: Blob) -> Blob:
        return Blob(a.data + b.data)

    def drop(self) -> None:
        self.dropped = True


class Blobs:
    """The interface: its resource class, and make-blob (the blobs it made kept, to check drops)."""

    Blob = Blob

    def __init__(self) -> None:
        self.made: list[Blob] = []

    def make_blob(self, n: int) -> Blob:
        self.made.append(Blob(b"\0" * n))
        return self.made[-1]
