"""The base of this package's chat models: serializable by LangChain, namespaced by module."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel


class SerializableChatModel(BaseChatModel):
    """`dumpd` / `load` round-trip these models under `["langchain_modelsat", <module>]`."""

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return cls.__module__.split(".")
