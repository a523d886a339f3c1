"""A WHERE clause built from fixed fragments, with values always passed as parameters."""

from __future__ import annotations


class Where:
    """Conditions joined by AND; `{}` in a fragment becomes the next `$n` placeholder."""

    def __init__(self, *args: object) -> None:
        self.args: list[object] = list(args)
        self._parts: list[str] = []

    def param(self, value: object) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def add(self, fragment: str, *values: object) -> None:
        self._parts.append(fragment.format(*(self.param(v) for v in values)))

    def sql(self) -> str:
        return " AND ".join(self._parts) if self._parts else "TRUE"
