"""Named candidate zoos and the held-out models, shipped in zoos.yaml."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel

from router_core.data.combine import canonical_model
from router_core.errors import ConfigError

ALL = "*"


class ZooFile(BaseModel):
    held_out_models: list[str]
    held_out_families: list[str] = []
    zoos: dict[str, list[str] | str]

    def resolve(self, name: str, available: Sequence[str]) -> list[str]:
        """The zoo's models, checked against the models that have data."""
        if name not in self.zoos:
            raise ConfigError(f"unknown zoo {name!r}; known: {', '.join(self.zoos)}")
        members = self.zoos[name]
        if members == ALL:
            return list(available)
        if isinstance(members, str):
            raise ConfigError(f"zoo {name!r} must be a list of models or {ALL!r}")
        resolved = [m if m in available else canonical_model(m) for m in members]
        missing = [m for m in resolved if m not in available]
        if missing:
            raise ConfigError(f"zoo {name!r} names models without data: {missing}")
        return resolved


@cache
def _shipped() -> ZooFile:
    text = (resources.files("router_core.zoos") / "zoos.yaml").read_text(encoding="utf-8")
    return ZooFile.model_validate(yaml.safe_load(text))


def load_zoo_file(path: str | Path | None = None) -> ZooFile:
    """The shipped zoos, or a user's zoos file of the same shape."""
    if path is None:
        return _shipped()
    return ZooFile.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
