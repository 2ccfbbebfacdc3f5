"""ModelSATRouter: a LangChain chat model that sends each call to the candidate most likely to answer
it well, retries transient errors and falls back down the router's ranking."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Annotated, Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.base import LangSmithParams
from langchain_core.load.serializable import SerializedConstructor, SerializedNotImplemented
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, convert_to_openai_messages
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.prompt_values import ChatPromptValue, PromptValue
from langchain_core.runnables import ConfigurableFieldSpec, Runnable, RunnableConfig
from langchain_core.runnables.config import var_child_runnable_config
from langchain_core.runnables.utils import get_unique_config_specs
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr

from langchain_modelsat.attempts import METADATA_KEY, AttemptLog, with_metadata
from langchain_modelsat.deadline import Deadlines
from langchain_modelsat.errors import (
    AllCandidatesFailedError,
    CallTimeoutError,
    ConfigError,
    StreamInterruptedError,
)
from langchain_modelsat.messages import MessagesToInstruction, to_messages
from langchain_modelsat.options import config_specs, configured_options
from langchain_modelsat.request import RoutedRequest
from langchain_modelsat.retry import RetrySettings, async_retrying, retrying
from langchain_modelsat.serializable import SerializableChatModel
from router_core.cards import CapabilityCard
from router_core.engine import (
    ENGINES,
    Engine,
    EngineConfig,
    LocalEngine,
    OperatorControls,
    Policy,
    RequestPath,
    Requirements,
    RoutingDecision,
    Stickiness,
    parse_policy,
    resolve_candidates,
)


def _default_if_none(settings: type[BaseModel]) -> Callable[[Any], Any]:
    """A field validator that reads None as the settings' defaults, as the docs promise."""
    return lambda value: settings() if value is None else value


class ModelSATRouter(SerializableChatModel):
    """A chat model over `models` (name -> chat model) that routes every call with Model-SAT.

    `cards` finds each candidate's capability card (see `router_core.engine.resolve_candidates`);
    a candidate without one fails here, not on the first call. `engine` is a `LocalEngine` or the
    `EngineConfig` of the process-wide shared one (default: the shipped router, loaded on first use).
    `policy` and `timeout_s` are this router's routing policy and timeout, sent with each call (None:
    the engine's). `controls` is what a call may change (the app developer is the operator, a call's
    `configurable` keys or arguments the client): by default no call may force a candidate or change
    the policy, and `controls.max_price` caps the price of the candidates routed to. `retry` bounds
    the retries of one candidate on transient errors (`max_retries` sets its attempts too);
    `fallback=False` tries the chosen candidate only. The routed instruction is the human's latest
    request (`router_core.engine.human_request`: not tool output or injected reminder blocks;
    `include_system` prepends the system prompt) unless `instruction(messages) -> str` is given.
    `stickiness` keeps a conversation (`modelsat_conversation` or LangGraph's `thread_id`) on one
    model, so its provider prompt cache survives (default off). `temperature`, `max_tokens`,
    `timeout` and `stop` are passed to the chosen candidate when set. `timeout` is also the router's
    own deadline per attempt (plus `deadline.ATTEMPT_GRACE_S`): a candidate that hangs past it is
    abandoned and the router falls back; `call_timeout` bounds the whole call (`CallTimeoutError`).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, populate_by_name=True, extra="forbid")

    models: dict[str, Runnable]
    cards: Any = Field(default=None, description="Card spec: None (shipped), a card file, or a mapping")
    engine_config: EngineConfig | None = Field(default=None, description="The shared engine's config")
    policy: Policy | None = Field(default=None, description="None: the engine's policy")
    timeout_s: float | None = Field(default=None, gt=0, description="Routing timeout (None: the engine's)")
    controls: Annotated[OperatorControls, BeforeValidator(_default_if_none(OperatorControls))] = Field(
        default_factory=OperatorControls,
        description="Which per-call overrides are allowed (default none) and the cost cap; None: the default",
    )
    retry: Annotated[RetrySettings, BeforeValidator(_default_if_none(RetrySettings))] = Field(
        default_factory=RetrySettings, description="None: the default retry settings"
    )
    stickiness: Stickiness | None = Field(default=None, description="Per-conversation stickiness; None: off")
    fallback: bool = True
    instruction: MessagesToInstruction | None = Field(default=None, exclude=True)
    include_system: bool = False
    model_name: str = Field(default="modelsat", alias="model", description="Name shown in traces")
    temperature: float | None = None
    max_tokens: int | None = None
    timeout: float | None = Field(
        default=None,
        description="Timeout of each candidate call: passed to the candidate, and the router abandons "
        "an attempt that outlives it (plus a 0.5 s grace), falling back without retrying it",
    )
    call_timeout: float | None = Field(
        default=None,
        gt=0,
        description="Deadline of a whole call (routing, attempts, retry waits, fallbacks); past it, "
        "CallTimeoutError naming the attempts. None: no limit but `timeout` per attempt",
    )
    max_retries: int | None = Field(default=None, ge=0, description="Retries of a candidate (sets retry)")
    stop: list[str] | None = None
    streaming: bool = False

    _cards: dict[str, CapabilityCard] = PrivateAttr()
    _engine: Engine | None = PrivateAttr(default=None)
    _requests: tuple[tuple[Any, ...], RequestPath] | None = PrivateAttr(default=None)

    def __init__(self, models: Mapping[str, Runnable] | None = None, /, **kwargs: Any) -> None:
        engine = kwargs.pop("engine", None)
        if isinstance(engine, EngineConfig):
            kwargs["engine_config"] = engine
        if models is not None:
            kwargs["models"] = models
        _check_models(kwargs.get("models"))
        if kwargs.get("policy") is not None:
            kwargs["policy"] = parse_policy(kwargs["policy"])  # a bad policy fails here, as a ConfigError
        super().__init__(**kwargs)
        self._cards = resolve_candidates(list(self.models), self.cards)
        self._engine = engine if isinstance(engine, LocalEngine) else None

    # ---- what LangChain asks of a chat model --------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "modelsat-router"

    def to_json(self) -> SerializedConstructor | SerializedNotImplemented:
        """Settings models travel as plain dicts, which the constructor validates back."""
        serialized = super().to_json()
        if serialized["type"] != "constructor":
            return serialized
        kwargs = serialized["kwargs"]
        for key in ("engine_config", "retry", "controls", "policy", "stickiness"):
            if isinstance(kwargs.get(key), BaseModel):
                kwargs[key] = kwargs[key].model_dump(mode="json")
        return serialized

    @property
    def retry_settings(self) -> RetrySettings:
        """`retry`, with `max_retries` (when set) deciding the attempts per candidate."""
        if self.max_retries is None:
            return self.retry
        return self.retry.model_copy(update={"attempts": self.max_retries + 1})

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"models": list(self.models), "policy": self._policy_name, "fallback": self.fallback}

    @property
    def _policy_name(self) -> str | None:
        return None if self.policy is None else self.policy.describe()

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="modelsat",
            ls_model_name=kwargs.get("model", self.model_name),
            ls_model_type="chat",
        )
        if (temperature := kwargs.get("temperature", self.temperature)) is not None:
            params["ls_temperature"] = temperature
        if (max_tokens := kwargs.get("max_tokens", self.max_tokens)) is not None:
            params["ls_max_tokens"] = max_tokens
        if stop := stop or kwargs.get("stop") or self.stop:
            params["ls_stop"] = stop
        return params

    @property
    def config_specs(self) -> list[ConfigurableFieldSpec]:
        inner = [spec for model in self.models.values() for spec in model.config_specs]
        return get_unique_config_specs(
            [*super().config_specs, *config_specs(list(self.models), self.controls), *inner]
        )

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Any | BaseTool],
        *,
        tool_choice: str | dict | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """The router with `tools` bound: each call routes among the candidates that can call tools
        and binds the tools to the chosen one, so an agent's tool loop works through the router."""
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    def get_num_tokens(self, text: str) -> int:
        """The size estimate routing uses against cards' context lengths (about 4 characters per
        token, `router_core.engine.requirements`): which candidate's tokenizer will count is only
        known once the call is routed. A `custom_get_token_ids` takes precedence."""
        if self.custom_get_token_ids is not None:
            return super().get_num_tokens(text)
        return Requirements.of_chat([{"role": "user", "content": text}]).tokens

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """`get_num_tokens` for a conversation, as the router sizes it."""
        if self.custom_get_token_ids is not None:
            return super().get_num_tokens_from_messages(messages, tools)
        return Requirements.of_chat(convert_to_openai_messages(messages)).tokens

    @property
    def candidate_cards(self) -> dict[str, CapabilityCard]:
        """Each candidate's resolved capability card."""
        return dict(self._cards)

    @property
    def engine(self) -> Engine:
        """The routing engine; the process-wide shared one for `engine_config` unless one was given."""
        if self._engine is None:
            self._engine = ENGINES.get(self.engine_config or EngineConfig())
        return self._engine

    @property
    def requests(self) -> RequestPath:
        """The core's request preparation and routing, with this router's settings (built anew for a
        copy whose settings differ, e.g. `model_copy(update=...)`; kept otherwise, with its
        conversations)."""
        settings = (self.policy, self.timeout_s, self.controls, self.include_system, self.stickiness)
        if self._requests is None or self._requests[0] != settings:
            router = RequestPath(
                self.engine,
                policy=self.policy,
                timeout_s=self.timeout_s,
                controls=self.controls,
                include_system=self.include_system,
                stickiness=self.stickiness,
            )
            self._requests = (settings, router)
        return self._requests[1]

    def __repr__(self) -> str:
        models, policy = list(self.models), self._policy_name
        return f"ModelSATRouter(models={models}, policy={policy}, fallback={self.fallback})"

    def _convert_input(self, model_input: LanguageModelInput) -> PromptValue:
        """Also accept a dict holding `messages` (the state of LangGraph agents)."""
        if isinstance(model_input, dict):
            return ChatPromptValue(messages=to_messages(model_input))
        return super()._convert_input(model_input)

    # ---- the `configurable` keys reach the routing code as call arguments ----------------------

    def invoke(
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AIMessage:
        return super().invoke(input, config, **configured_options(config), **kwargs)

    async def ainvoke(
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AIMessage:
        return await super().ainvoke(input, config, **configured_options(config), **kwargs)

    def stream(
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[AIMessageChunk]:
        yield from super().stream(input, config, **configured_options(config), **kwargs)

    async def astream(
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[AIMessageChunk]:
        async for chunk in super().astream(input, config, **configured_options(config), **kwargs):
            yield chunk

    # ---- routing --------------------------------------------------------------------------------

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict) -> RoutedRequest:
        defaults = {"temperature": self.temperature, "max_tokens": self.max_tokens, "timeout": self.timeout}
        return RoutedRequest.read(
            messages,
            stop=stop or self.stop,
            kwargs={**{k: v for k, v in defaults.items() if v is not None}, **kwargs},
            router=self.requests,
            candidates=self._cards,
            models=self.models,
            instruction=self.instruction,
        )

    def _route(self, request: RoutedRequest) -> RoutingDecision:
        return self.requests.route(request.routing)

    async def _aroute(self, request: RoutedRequest) -> RoutingDecision:
        return await self.requests.aroute(request.routing)

    def _deadlines(self, request: RoutedRequest) -> Deadlines:
        """The call's deadlines, its clock starting now: the effective `timeout` (a call's own
        argument over the router's) per attempt, `call_timeout` for the whole call."""
        return Deadlines(request.call_kwargs.get("timeout"), self.call_timeout)

    def _order(self, decision: RoutingDecision) -> list[str]:
        return [c.name for c in decision.ranking] if self.fallback else [decision.chosen]

    @staticmethod
    def _candidate_config(name: str, decision: RoutingDecision) -> RunnableConfig:
        """The candidate is called without callbacks: the router is the chat-model run that tracers
        and LangGraph see (one llm run per call, as LangChain's conformance suite requires; LangChain
        hands `_stream` no run manager anyway). Its answer carries the decision and every attempt in
        `response_metadata["modelsat"]`."""
        return RunnableConfig(
            tags=[f"modelsat:{name}"],
            metadata={METADATA_KEY: {**decision.metadata(), "model": name}},
        )

    # ---- calling candidates ---------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request = self._request(messages, stop, kwargs)
        clock = self._deadlines(request)
        decision = self._route(request)
        log = AttemptLog()
        for name in self._order(decision):
            if clock.expired:
                break
            model, child = request.candidate(name), self._candidate_config(name, decision)
            call = partial(model.invoke, request.messages, child, **request.call_kwargs)
            try:
                for attempt in retrying(self.retry_settings, clock.no_time_to_retry):
                    with attempt, log.call(name), _outside_the_callers_run():
                        output = clock.run(name, call)
            except Exception as exc:
                log.gave_up(name, exc)
                continue
            return _result(_answer(output, log.metadata(decision, name)))
        raise _exhausted(log, clock)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request = self._request(messages, stop, kwargs)
        clock = self._deadlines(request)
        decision = await self._aroute(request)
        log = AttemptLog()
        for name in self._order(decision):
            if clock.expired:
                break
            model, child = request.candidate(name), self._candidate_config(name, decision)
            try:
                async for attempt in async_retrying(self.retry_settings, clock.no_time_to_retry):
                    with attempt, log.call(name), _outside_the_callers_run():
                        output = await clock.arun(
                            name, model.ainvoke(request.messages, child, **request.call_kwargs)
                        )
            except Exception as exc:
                log.gave_up(name, exc)
                continue
            return _result(_answer(output, log.metadata(decision, name)))
        raise _exhausted(log, clock)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Retry and fall back only until a candidate yields its first chunk; from then on its
        chunks pass through as they come, and a failure ends the stream. The deadlines bound the
        wait for the first chunk."""
        request = self._request(messages, stop, kwargs)
        clock = self._deadlines(request)
        decision = self._route(request)
        log = AttemptLog()
        for name in self._order(decision):
            if clock.expired:
                break
            model, child = request.candidate(name), self._candidate_config(name, decision)
            try:
                for attempt in retrying(self.retry_settings, clock.no_time_to_retry):
                    with attempt, log.call(name), _outside_the_callers_run():
                        stream = model.stream(request.messages, child, **request.call_kwargs)
                        first = clock.run(name, partial(next, stream, None))
            except Exception as exc:
                log.gave_up(name, exc)
                continue
            if first is None:
                return
            yield _chunk(_answer(_as_chunk(first), log.metadata(decision, name)))
            chunks = 1
            try:
                for chunk in stream:
                    yield _chunk(_as_chunk(chunk))
                    chunks += 1
            except Exception as exc:
                raise StreamInterruptedError(name, chunks, exc) from exc
            finally:
                if isinstance(stream, Generator):  # what a chat model's stream is; end it now
                    stream.close()
            return
        raise _exhausted(log, clock)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        """`_stream` for asyncio."""
        request = self._request(messages, stop, kwargs)
        clock = self._deadlines(request)
        decision = await self._aroute(request)
        log = AttemptLog()
        for name in self._order(decision):
            if clock.expired:
                break
            model, child = request.candidate(name), self._candidate_config(name, decision)
            try:
                async for attempt in async_retrying(self.retry_settings, clock.no_time_to_retry):
                    with attempt, log.call(name), _outside_the_callers_run():
                        stream = model.astream(request.messages, child, **request.call_kwargs)
                        first = await clock.arun(name, _first_chunk(stream))
            except Exception as exc:
                log.gave_up(name, exc)
                continue
            if first is None:
                return
            yield _chunk(_answer(_as_chunk(first), log.metadata(decision, name)))
            chunks = 1
            try:
                async for chunk in stream:
                    yield _chunk(_as_chunk(chunk))
                    chunks += 1
            except Exception as exc:
                raise StreamInterruptedError(name, chunks, exc) from exc
            finally:
                if isinstance(stream, AsyncGenerator):
                    await stream.aclose()
            return
        raise _exhausted(log, clock)


@contextmanager
def _outside_the_callers_run() -> Iterator[None]:
    """Start a candidate's run without inheriting the enclosing run's callbacks and tags, which
    LangChain passes by context variable: the router is the one chat-model run of a call. (A stream's
    run is set up on its first chunk, so only that needs this.)"""
    token = var_child_runnable_config.set(None)
    try:
        yield
    finally:
        var_child_runnable_config.reset(token)


def _exhausted(log: AttemptLog, clock: Deadlines) -> AllCandidatesFailedError:
    """The error of a call no candidate answered: `CallTimeoutError` once its deadline passed."""
    if clock.expired and clock.call_timeout is not None:
        return CallTimeoutError(clock.call_timeout, log.failures)
    return log.exhausted()


async def _first_chunk(stream: AsyncIterator[Any]) -> Any:
    return await anext(stream, None)


def _check_models(models: Any) -> None:
    if not models:
        raise ConfigError("ModelSATRouter needs at least one candidate model")
    not_runnable = [key for key, model in dict(models).items() if not isinstance(model, Runnable)]
    if not_runnable:
        raise ConfigError(f"candidates {not_runnable} are not LangChain Runnables (chat models)")


def _answer(output: Any, metadata: dict[str, Any]) -> Any:
    """The candidate's (first) message with the decision, and `model_name` (which LangChain's usage
    callbacks read) naming the candidate unless the candidate already set it."""
    message = with_metadata(output if isinstance(output, AIMessageChunk) else _as_message(output), metadata)
    if message.response_metadata.get("model_name"):
        return message
    return message.model_copy(
        update={"response_metadata": {**message.response_metadata, "model_name": metadata["model"]}}
    )


def _as_message(output: Any) -> AIMessage:
    """A candidate's answer as an AIMessage (a plain Runnable may answer with a string)."""
    return output if isinstance(output, AIMessage) else AIMessage(content=str(output))


def _as_chunk(output: Any) -> AIMessageChunk:
    if isinstance(output, AIMessageChunk):
        return output
    if isinstance(output, AIMessage):
        return AIMessageChunk(**output.model_dump(exclude={"type"}))
    return AIMessageChunk(content=str(output))


def _result(message: AIMessage) -> ChatResult:
    return ChatResult(generations=[ChatGeneration(message=message)])


def _chunk(message: AIMessageChunk) -> ChatGenerationChunk:
    return ChatGenerationChunk(message=message)
