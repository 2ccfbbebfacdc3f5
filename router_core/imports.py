"""Objects named by "package.module:attribute" paths: how registered methods load lazily and how
the CLI finds a user's callables, so torch, scikit-learn or LiteLLM are imported only when used."""

from __future__ import annotations

import importlib
from typing import Any

from router_core.errors import ConfigError


def import_object(path: str) -> Any:
    """The object `path` names (the attribute may be dotted: `module:Class.method`). A path not of
    that form is a `ConfigError`; a module or attribute that is missing raises Python's own
    `ImportError` or `AttributeError`, which callers turn into their own advice."""
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise ConfigError(f"{path!r} must look like package.module:attribute")
    target: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        target = getattr(target, part)
    return target
