"""The integrations use the core through its public API only: `router_core.<package>` and the names
it exports, so the core's modules can move without breaking them."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INTEGRATIONS = sorted(
    [*ROOT.glob("langchain_modelsat/*.py"), *ROOT.glob("integrations/litellm_modelsat/*.py")]
)


def _core_imports(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("router_core"):
            found += [(node.module or "", alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names if alias.name.startswith("router_core")]
    return found


@pytest.mark.parametrize("path", INTEGRATIONS, ids=lambda p: str(p.relative_to(ROOT)))
def test_integrations_import_only_the_cores_exports(path: Path) -> None:
    for module, name in _core_imports(path):
        assert module.count(".") == 1, f"{path.name} imports {module}, not a router_core package"
        exported = getattr(importlib.import_module(module), "__all__", None)
        assert exported is None or name in exported, f"{path.name}: {module} does not export {name}"
