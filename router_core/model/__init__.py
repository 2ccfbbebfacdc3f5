"""The Model-SAT router network, its configuration and checkpoints."""

from typing import Any

__all__ = ["check_checkpoint"]


def __getattr__(name: str) -> Any:
    """`check_checkpoint`, imported on first use: it needs torch, which importing this package (for
    its configuration, as the engine does) must not."""
    if name == "check_checkpoint":
        from router_core.model.checkpoint import check_checkpoint

        return check_checkpoint
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
