"""What a finished run returns, shaped like subprocess.CompletedProcess."""

from __future__ import annotations

import html
from dataclasses import dataclass, field


@dataclass
class CompletedRun:
    args: list[str]
    exit_code: int
    stdout: bytes = b""
    stderr: bytes = b""
    duration: float = 0.0
    files: dict[str, object] = field(default_factory=dict)

    @property
    def returncode(self) -> int:
        """subprocess-compatible alias of exit_code."""
        return self.exit_code

    def check_returncode(self) -> None:
        if self.exit_code:
            raise NonZeroExit(self)

    def _repr_html_(self) -> str:
        """A compact notebook view: exit status, time, and the output."""
        status = "ok" if self.exit_code == 0 else f"exit {self.exit_code}"
        colour = "#2e7d32" if self.exit_code == 0 else "#c62828"
        parts = [
            f'<div><b style="color:{colour}">{html.escape(status)}</b> '
            f"<code>{html.escape(' '.join(self.args))}</code> in {self.duration * 1000:.1f} ms</div>"
        ]
        for label, data in (("stdout", self.stdout), ("stderr", self.stderr)):
            if data:
                text = html.escape(data.decode(errors="replace"))
                parts.append(f"<details open><summary>{label}</summary><pre>{text}</pre></details>")
        return "".join(parts)


class NonZeroExit(Exception):
    def __init__(self, result: CompletedRun) -> None:
        super().__init__(f"{' '.join(result.args)} exited with code {result.exit_code}")
        self.result = result
