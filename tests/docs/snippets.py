"""The fenced code blocks of README.md and docs/*.md, which the snippet tests run as written.

A block's language says how it runs: `python` (in one interpreter per file, blocks in order, so a
later block may use an earlier one's names), `sh` (each command line with bash), `js` (in Chromium
on the playground's origin, the file's blocks as one module), `ipython` (a notebook cell: it must be
a cell of the shipped example notebook, which the notebook tests run), `text` (a listing, not run).
Everything runs from the repository root, after `make examples` has built build/examples/.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LANGUAGES = {"python", "sh", "js", "ipython", "text"}
FENCE = re.compile(r"^\s*```(\S*)\s*$")  # a block may be indented (in a list item)


@dataclass(frozen=True)
class Snippet:
    document: Path
    line: int  # of the opening fence, 1-based
    language: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"


def snippets(document: Path) -> list[Snippet]:
    """The document's fenced blocks, in order."""
    found: list[Snippet] = []
    opened: tuple[int, str] | None = None
    body: list[str] = []
    for number, line in enumerate(document.read_text().splitlines(), start=1):
        fence = FENCE.match(line)
        if fence is None:
            if opened is not None:
                body.append(line)
        elif opened is None:
            opened, body = (number, fence.group(1)), []
        else:
            found.append(Snippet(document, opened[0], opened[1], textwrap.dedent("\n".join(body) + "\n")))
            opened = None
    if opened is not None:
        raise ValueError(f"{document.relative_to(ROOT)}:{opened[0]}: a code block is never closed")
    return found


def all_snippets(language: str) -> list[Snippet]:
    return [
        snippet for document in DOCUMENTS for snippet in snippets(document) if snippet.language == language
    ]


def command_lines(snippet: Snippet) -> list[str]:
    """A shell block's commands: one a line, comments and blank lines left out."""
    lines = (re.sub(r"\s+#.*$", "", line).strip() for line in snippet.code.splitlines())
    return [line for line in lines if line and not line.startswith("#")]
