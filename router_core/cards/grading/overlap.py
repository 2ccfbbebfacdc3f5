"""Graders that score a free-text reply by the words it shares with the key, with partial credit.

Short answers are scored by SQuAD's token F1, which credits a near miss ("mcguigan" for "barry
mcguigan") in part. Constrained writing is scored by the share of the required concepts the
reply uses, each in any simple inflection ("reported" uses "report").
"""

from __future__ import annotations

import re
import string
from collections import Counter

_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)
_ANSWER_MARK = re.compile(r"answer\s*(?:is|:)\s*:?", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
_MIN_STEM = 3


def normalise_answer(text: str) -> str:
    """SQuAD's normalisation: lower case, no punctuation, no articles, single spaces."""
    return " ".join(_ARTICLES.sub(" ", text.lower().translate(_PUNCTUATION)).split())


def grade_f1(reply: str, answer: str) -> float:
    """Token F1 between the reply's answer and `answer` (SQuAD). A reply that marks its answer
    ('The answer is X', 'Answer: X') is scored on what follows the last mark only."""
    marks = list(_ANSWER_MARK.finditer(reply))
    guess = normalise_answer(reply[marks[-1].end() :] if marks else reply).split()
    gold = normalise_answer(answer).split()
    if not guess or not gold:
        return float(guess == gold)
    common = sum((Counter(guess) & Counter(gold)).values())
    if not common:
        return 0.0
    precision, recall = common / len(guess), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def grade_coverage(reply: str, concepts: str) -> float:
    """The share of the comma-separated `concepts` the reply uses; a concept of several words
    counts when each of its words appears, in any simple inflection."""
    wanted = [concept for concept in (part.strip().lower() for part in concepts.split(",")) if concept]
    if not wanted:
        raise ValueError(f"a coverage item needs comma-separated concepts, got {concepts!r}")
    used = {_stem(word) for word in _WORD.findall(reply.lower())}
    covered = sum(all(_stem(word) in used for word in _WORD.findall(concept)) for concept in wanted)
    return covered / len(wanted)


def _stem(word: str) -> str:
    """A crude stem that maps a word's plural and verb forms together: countries/country,
    reported/report, dancing/dance, stopped/stop, springs/spring (irregular ran/run stay apart).
    Stripped to a fixed point, so a word and its inflection meet even where one strip overshoots."""
    while True:
        stripped = _strip_once(word)
        if stripped == word:
            return word
        word = stripped


def _strip_once(word: str) -> str:
    if not word.endswith("ss"):
        for suffix, replacement in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
                word = word[: -len(suffix)] + replacement
                break
    if len(word) > _MIN_STEM and word.endswith("e"):
        word = word[:-1]
    if len(word) > _MIN_STEM and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word
