from __future__ import annotations

import pytest

from router_core.data.latex import last_boxed


@pytest.mark.parametrize(
    ("text", "expected"),
    [("so $\\boxed{\\frac{1}{2}}$.", "\\frac{1}{2}"), ("\\boxed{1} then \\boxed{2}", "2"), ("no box", None)],
)
def test_last_boxed(text: str, expected: str | None) -> None:
    start, content = last_boxed(text)
    assert (content if start >= 0 else None) == expected
