"""Reading the final answer that a math solution marks with `\\boxed{...}`: the gold answers of
MATH-style data and the replies graded against them use the one reader."""

from __future__ import annotations

import re

_BOX = re.compile(r"\\(?:boxed|fbox)(?![a-zA-Z])\s*")


def last_boxed(text: str) -> tuple[int, str]:
    """(start, content) of the last `\\boxed{...}` with balanced braces (or `\\boxed 5`); start -1 if none."""
    for box in reversed(list(_BOX.finditer(text))):
        content = _argument(text, box.end())
        if content is not None:
            return box.start(), content
    return -1, ""


def _argument(text: str, start: int) -> str | None:
    """The braced group opening at `start` (braces balanced), or the bare token there."""
    if start >= len(text):
        return None
    if text[start] != "{":
        token = re.match(r"[^\s$]+", text[start:])
        return token.group() if token else None
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index]
    return None
