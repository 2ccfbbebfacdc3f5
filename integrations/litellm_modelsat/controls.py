"""The operator's controls over per-request options on LiteLLM, where overrides can also be granted
per virtual key or team through LiteLLM's own key and team metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from router_core.engine import OperatorControls, Override, read_overrides

GRANT_KEY = "modelsat_allow_overrides"
"""Key of a virtual key's or team's metadata that grants it overrides, e.g. `["policy", "model"]`."""

GRANT_SOURCES: dict[str, str] = {"key": "user_api_key_metadata", "team": "user_api_key_team_metadata"}
"""Where the proxy puts a request's key and team metadata: it writes both request-metadata entries
from its own records on every request, and drops `user_api_key_*` entries a client sends."""


class LiteLLMControls(OperatorControls):
    """`OperatorControls`, plus whose LiteLLM metadata may grant overrides beyond `allow_overrides`.
    Off by default: with `grants_from: [team]`, a team whose metadata has `modelsat_allow_overrides:
    [policy]` may change the policy; `key` trusts each virtual key's own metadata, which whoever may
    create or edit the key writes (on the proxy, internal users can generate their own keys)."""

    grants_from: frozenset[Literal["key", "team"]] = Field(
        default=frozenset(),
        description="Read modelsat_allow_overrides from the metadata of the request's virtual key "
        "(key) and/or its team (team); default: from neither",
    )

    def granted(self, metadata: Mapping[str, Any]) -> frozenset[Override]:
        """The overrides the request's key or team metadata grants it, from the sources this operator
        trusts; a grant that is not a list of overrides is a `ConfigError` naming where it is."""
        grants: frozenset[Override] = frozenset()
        for source in sorted(self.grants_from):
            owner = metadata.get(GRANT_SOURCES[source])
            if isinstance(owner, Mapping):
                grants |= read_overrides(owner.get(GRANT_KEY), f"the {source} metadata's {GRANT_KEY}")
        return grants
