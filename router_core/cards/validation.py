"""Whether a card fits the aptitude test it names: the router reads nothing else.

A card is refused when it lists a task that the test does not hold (a card padded with
made-up tasks), describes a task otherwise than the test does, or covers a task family only
in part (a card cut down to its best tasks). A partial card is one that covers some families
wholly and leaves others out; it says which in `families`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from router_core.cards.aptitude import AptitudeTest, load_aptitude_test
from router_core.errors import CardError, ConfigError

if TYPE_CHECKING:  # card.py checks every card it loads with this module
    from router_core.cards.card import CapabilityCard


def check_card(card: CapabilityCard, test: AptitudeTest | None = None) -> CapabilityCard:
    """`card` itself if it fits `test`, else a CardError. Without `test`: the shipped test the
    card names; a card of a test this installation does not ship (a user's own) is only
    checked by the router that reads it, which refuses a test other than its own."""
    if test is None:
        try:
            test = load_aptitude_test(card.aptitude_version)
        except ConfigError:
            return card
    if card.aptitude_version != test.version:
        raise CardError(
            f"card of {card.model!r} was measured with aptitude test {card.aptitude_version!r}, not "
            f"{test.version!r}: measure the model again with `modelsat cards run` (test {test.version})"
        )
    described = {task.id: task.description for task in test.tasks}
    strangers = [s.task for s in card.scores if s.task not in described]
    if strangers:
        raise CardError(
            f"card of {card.model!r} lists {len(strangers)} tasks that aptitude test {test.version} "
            f"does not hold, e.g. {strangers[:3]}"
        )
    altered = [s.task for s in card.scores if s.description != described[s.task]]
    if altered:
        raise CardError(
            f"card of {card.model!r} describes tasks {altered[:3]} otherwise than "
            f"aptitude test {test.version}"
        )
    measured = {s.task for s in card.scores}
    groups = test.families or {"": [task.id for task in test.tasks]}  # "": the test as one family
    for family, tasks in groups.items():
        taken = [t for t in tasks if t in measured]
        if taken and len(taken) < len(tasks):
            what = f"family {family!r}" if family else "the test"
            raise CardError(
                f"card of {card.model!r} covers {len(taken)} of the {len(tasks)} tasks of {what} "
                f"(missing {sorted(set(tasks) - measured)[:3]}); a card reports every task of "
                "each family it covers"
            )
    declared = tuple(test.families_of(sorted(measured))) if test.families else None
    if card.families is not None and card.families != declared:
        raise CardError(
            f"card of {card.model!r} says it covers {list(card.families)}, but its tasks cover "
            f"{None if declared is None else list(declared)}"
        )
    return card
