"""Answer-letter extraction from a model's free-text reply to a multiple-choice question.

Follows MMLU-Pro's own cascade ("answer is (X)", then "Answer: X", then a lone letter) with two
deliberate differences: the last match wins, so a reply that reconsiders ("the answer is (A)...
no, the answer is (B)") is read as B; and a lone letter counts only when it stands on the
reply's last line, so the "I" or "A" of ordinary prose is never read as an answer. A reply
none of these read is unparseable (None), which the caller scores as wrong, as upstream does.
"""

from __future__ import annotations

import re
from functools import cache

from router_core.data.outcomes import OPTION_LETTERS

_MARKDOWN = re.compile(r"[*_`]")


@cache
def _patterns(letters: str) -> tuple[re.Pattern[str], ...]:
    letter = f"([{re.escape(letters)}])"
    return (
        re.compile(rf"(?i:answer\s+is)\s*:?\s*[(\[]?{letter}\b"),
        re.compile(rf"(?i:answer)\s*:\s*[(\[]?{letter}\b"),
        re.compile(rf"^\s*[(\[]?{letter}[)\].:]?\s*$"),
    )


def extract_choice(reply: str, n_choices: int) -> str | None:
    """The option letter `reply` settles on, among the first `n_choices` letters; None if none is found."""
    if not 1 <= n_choices <= len(OPTION_LETTERS):
        raise ValueError(f"n_choices must lie in 1..{len(OPTION_LETTERS)}, got {n_choices}")
    text = _MARKDOWN.sub("", reply)
    lines = text.strip().splitlines()
    last_line = lines[-1] if lines else ""
    phrase_is, phrase_colon, lone = _patterns(OPTION_LETTERS[:n_choices])
    for pattern, target in ((phrase_is, text), (phrase_colon, text), (lone, last_line)):
        found = pattern.findall(target)
        if found:
            return found[-1]
    return None
