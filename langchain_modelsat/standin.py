"""A stand-in chat model that answers without a provider, for offline demos and tests of routing
(the quickstart uses it): the routing decision is real, the answer is scripted."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from langchain_modelsat.serializable import SerializableChatModel


class StandInChatModel(SerializableChatModel):
    """Answers `reply`, streamed word by word. With tools bound, it first calls the first tool, then
    answers `reply` once it has seen the tool's result, so an agent loop runs. The call's arguments
    are scripted per tool name in `tool_args`; an unscripted tool gets a placeholder for each
    required parameter of its schema ("stand-in" / 0 / false / [] / {})."""

    reply: str
    tool_args: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @property
    def _llm_type(self) -> str:
        return "modelsat-stand-in"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[LanguageModelInput, AIMessage]:
        return self.bind(tools=[convert_to_openai_tool(tool) for tool in tools], **kwargs)

    def _answer(self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None) -> AIMessage:
        if tools and not isinstance(messages[-1], ToolMessage):
            function = tools[0]["function"]
            args = self.tool_args.get(function["name"]) or _placeholders(function.get("parameters") or {})
            call = {"name": function["name"], "args": args, "id": f"call-{len(messages)}"}
            return AIMessage(content="", tool_calls=[call])
        words = len(self.reply.split())
        usage = {"input_tokens": len(messages), "output_tokens": words, "total_tokens": len(messages) + words}
        return AIMessage(content=self.reply, usage_metadata=usage)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._answer(messages, kwargs.get("tools")))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        answer = self._answer(messages, kwargs.get("tools"))
        if answer.tool_calls:
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=_chunks(answer)))
            return
        words = answer.text.split(" ")
        for i, word in enumerate(words):
            usage = answer.usage_metadata if i == len(words) - 1 else None
            chunk = AIMessageChunk(content=word if i == 0 else f" {word}", usage_metadata=usage)
            yield ChatGenerationChunk(message=chunk)


def _chunks(answer: AIMessage) -> list[dict[str, Any]]:
    return [
        {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i}
        for i, c in enumerate(answer.tool_calls)
    ]


_PLACEHOLDERS: dict[str, Any] = {
    "string": "stand-in",
    "integer": 0,
    "number": 0,
    "boolean": False,
    "array": [],
    "object": {},
}


def _placeholders(schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    return {
        name: _PLACEHOLDERS.get(properties.get(name, {}).get("type", "string"), "")
        for name in schema.get("required") or []
    }
