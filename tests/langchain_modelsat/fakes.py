"""Fake chat models and provider-like errors for the LangChain router tests (no network)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field, PrivateAttr


class RateLimitError(Exception):
    """Like an SDK's HTTP 429."""

    status_code = 429


class BadRequestError(Exception):
    """Like an SDK's HTTP 400."""

    status_code = 400


class ScriptedChat(BaseChatModel):
    """Answers `reply`; raises the queued `errors` first (one per call); with `fail_after` set, a
    stream breaks after that many chunks. With tools bound it asks for the first tool until it
    sees a tool result. `log` records every call's messages and keyword arguments, and `events`
    the chunks it produced, so tests see what each candidate was actually asked."""

    reply: str
    errors: list[BaseException] = Field(default_factory=list)
    fail_after: int | None = None
    log: list[dict[str, Any]] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list)
    bound: list[list[str]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable:
        specs = [convert_to_openai_tool(tool) for tool in tools]
        self.bound.append([spec["function"]["name"] for spec in specs])
        return self.bind(tools=specs, **kwargs)

    def _answer(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        self.log.append({"messages": messages, "kwargs": kwargs})
        if self.errors:
            raise self.errors.pop(0)
        tools = kwargs.get("tools")
        if tools and not isinstance(messages[-1], ToolMessage):
            name = tools[0]["function"]["name"]
            call = {"name": name, "args": {"model": self.reply}, "id": f"call-{len(self.log)}"}
            return AIMessage(content="", tool_calls=[call])
        return AIMessage(content=self.reply)

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ):
        asked = {**kwargs, "stop": stop} if stop else kwargs
        return ChatResult(generations=[ChatGeneration(message=self._answer(messages, asked))])

    async def _agenerate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        return self._generate(messages, stop, **kwargs)

    def _chunks(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> Iterator[ChatGenerationChunk]:
        words = self._answer(messages, kwargs).content.split(" ")
        for i, word in enumerate(words):
            if self.fail_after is not None and i == self.fail_after:
                raise ConnectionError("connection dropped mid-stream")
            self.events.append(f"produced {i}")
            yield ChatGenerationChunk(message=AIMessageChunk(content=word if i == 0 else f" {word}"))

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        yield from self._chunks(messages, kwargs)

    async def _astream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._chunks(messages, kwargs):
            yield chunk


class HangingChat(BaseChatModel):
    """A provider call stuck without a timeout of its own: every call (invoke, ainvoke, stream,
    astream; the async ones through LangChain's default executor path, as a sync client is) blocks
    its thread until `release()`. `calls` counts the calls it received."""

    calls: int = 0
    _released: threading.Event = PrivateAttr(default_factory=threading.Event)

    @property
    def _llm_type(self) -> str:
        return "hanging"

    def release(self) -> None:
        self._released.set()

    def _hang(self) -> AIMessage:
        self.calls += 1
        self._released.wait(60)
        return AIMessage(content="too late")

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._hang())])

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        yield ChatGenerationChunk(message=AIMessageChunk(content=self._hang().content))
