"""ModelSATRouter: a LangChain chat Runnable that sends each call to the candidate most likely to
answer it well, retries transient errors and falls back down the router's ranking."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForChainRun, CallbackManagerForChainRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.runnables import ConfigurableFieldSpec, Runnable, RunnableConfig
from langchain_core.runnables.config import patch_config
from langchain_core.runnables.utils import get_unique_config_specs

from langchain_modelsat.attempts import METADATA_KEY, AttemptLog, with_metadata
from langchain_modelsat.errors import ConfigError, StreamInterruptedError
from langchain_modelsat.messages import InstructionFn, last_human_instruction, to_messages
from langchain_modelsat.options import MODEL_KEY, CallOptions, config_specs
from langchain_modelsat.retry import RetrySettings, async_retrying, retrying
from router_core.engine import (
    Candidate,
    CardsSpec,
    Policy,
    RouterEngine,
    RoutingDecision,
    parse_policy,
    resolve_candidates,
)

_EMPTY = object()


class ModelSATRouter(Runnable[LanguageModelInput, Any]):
    """Route every call over `models` (name -> chat model) with the Model-SAT router.

    `cards` finds each candidate's capability card (see `router_core.engine.resolve_candidates`);
    a candidate without one fails here, not on the first call. `engine` defaults to the shared
    `RouterEngine.from_pretrained()`, created on first use so building a router stays cheap.
    `policy` is the default selection policy (engine default if None). `retry` bounds the retries of
    one candidate on transient errors; `fallback=False` tries the chosen candidate only.
    The routed instruction is the last human message (`include_system` prepends the system
    prompt) unless `instruction(messages) -> str` is given.
    """

    def __init__(
        self,
        models: Mapping[str, Runnable],
        cards: CardsSpec = None,
        engine: RouterEngine | None = None,
        policy: str | dict | Policy | None = None,
        retry: RetrySettings | Mapping[str, Any] | None = None,
        fallback: bool = True,
        *,
        instruction: InstructionFn | None = None,
        include_system: bool = False,
        route_timeout_s: float | None = None,
        name: str | None = None,
    ) -> None:
        if not models:
            raise ConfigError("ModelSATRouter needs at least one candidate model")
        not_runnable = [key for key, model in models.items() if not isinstance(model, Runnable)]
        if not_runnable:
            raise ConfigError(f"candidates {not_runnable} are not LangChain Runnables (chat models)")
        self.models: dict[str, Runnable] = dict(models)
        self.cards = resolve_candidates(list(self.models), cards)
        self.policy = None if policy is None else parse_policy(policy)
        self.retry = retry if isinstance(retry, RetrySettings) else RetrySettings.model_validate(retry or {})
        self.fallback = fallback
        self.instruction = instruction
        self.include_system = include_system
        self.route_timeout_s = route_timeout_s
        self.name = name
        self._engine = engine

    @property
    def engine(self) -> RouterEngine:
        """The routing engine; the process-wide shared one unless given."""
        if self._engine is None:
            self._engine = RouterEngine.from_pretrained()
        return self._engine

    def __repr__(self) -> str:
        return f"ModelSATRouter(models={list(self.models)}, policy={self.policy}, fallback={self.fallback})"

    @property
    def InputType(self) -> Any:  # noqa: N802 (LangChain's name)
        return LanguageModelInput

    @property
    def OutputType(self) -> Any:  # noqa: N802 (LangChain's name)
        return Any

    @property
    def config_specs(self) -> list[ConfigurableFieldSpec]:
        inner = [spec for model in self.models.values() for spec in model.config_specs]
        return get_unique_config_specs([*config_specs(list(self.models)), *inner])

    # ---- passing tools and schemas to every candidate -----------------------------------------

    def bind_tools(self, tools: Any, **kwargs: Any) -> ModelSATRouter:
        """A router whose candidates all have `tools` bound, so it can drive a tool-calling agent."""
        return self._map_models("bind_tools", tools, **kwargs)

    def with_structured_output(self, schema: Any, **kwargs: Any) -> ModelSATRouter:
        """A router whose candidates all answer in `schema` (outputs then carry no metadata)."""
        return self._map_models("with_structured_output", schema, **kwargs)

    def _map_models(self, method: str, *args: Any, **kwargs: Any) -> ModelSATRouter:
        lacking = [key for key, model in self.models.items() if not hasattr(model, method)]
        if lacking:
            raise ConfigError(f"candidates {lacking} do not support {method}()")
        return ModelSATRouter(
            {key: getattr(model, method)(*args, **kwargs) for key, model in self.models.items()},
            cards=self.cards,
            engine=self._engine,
            policy=self.policy,
            retry=self.retry,
            fallback=self.fallback,
            instruction=self.instruction,
            include_system=self.include_system,
            route_timeout_s=self.route_timeout_s,
            name=self.name,
        )

    # ---- Runnable entry points ----------------------------------------------------------------

    def invoke(self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        return self._call_with_config(self._invoke, input, config, **kwargs)

    async def ainvoke(
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Any:
        return await self._acall_with_config(self._ainvoke, input, config, **kwargs)

    def stream(
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Any]:
        yield from self._transform_stream_with_config(iter([input]), self._stream, config, **kwargs)

    async def astream(
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        async def single() -> AsyncIterator[LanguageModelInput]:
            yield input

        async for chunk in self._atransform_stream_with_config(single(), self._astream, config, **kwargs):
            yield chunk

    # ---- routing ------------------------------------------------------------------------------

    def _prepare(
        self, input: LanguageModelInput, config: RunnableConfig
    ) -> tuple[list[BaseMessage], CallOptions]:
        return to_messages(input), CallOptions.from_config(config, self.models)

    def _instruction(self, messages: list[BaseMessage]) -> str:
        if self.instruction is not None:
            return self.instruction(messages)
        return last_human_instruction(messages, include_system=self.include_system)

    def _forced(self, name: str) -> RoutingDecision:
        card = self.cards[name]
        return RoutingDecision(
            ranking=[Candidate(name=name, probability=card.mean_accuracy, price=card.price)],
            policy="forced",
            reason=f"forced by configurable {MODEL_KEY}",
        )

    def _route(self, messages: list[BaseMessage], options: CallOptions) -> RoutingDecision:
        if options.model is not None:
            return self._forced(options.model)
        return self.engine.route(**self._routing_call(messages, options))

    async def _aroute(self, messages: list[BaseMessage], options: CallOptions) -> RoutingDecision:
        if options.model is not None:
            return self._forced(options.model)
        return await self.engine.aroute(**self._routing_call(messages, options))

    def _routing_call(self, messages: list[BaseMessage], options: CallOptions) -> dict[str, Any]:
        return {
            "instruction": self._instruction(messages),
            "candidates": self.cards,
            "policy": options.policy_spec(self.policy),
            "timeout_s": self.route_timeout_s,
        }

    def _order(self, decision: RoutingDecision) -> list[str]:
        return [c.name for c in decision.ranking] if self.fallback else [decision.chosen]

    @staticmethod
    def _child_config(
        config: RunnableConfig,
        run_manager: CallbackManagerForChainRun | AsyncCallbackManagerForChainRun,
        name: str,
        decision: RoutingDecision,
    ) -> RunnableConfig:
        """The candidate's run is a child of the router's, tagged with its name, and carries the
        decision in its metadata for tracing."""
        child = patch_config(config, callbacks=run_manager.get_child(f"modelsat:{name}"))
        child["metadata"] = {
            **child.get("metadata", {}),
            METADATA_KEY: {**decision.metadata(), "model": name},
        }
        return child

    # ---- calling candidates -------------------------------------------------------------------

    def _invoke(
        self,
        input: LanguageModelInput,
        run_manager: CallbackManagerForChainRun,
        config: RunnableConfig,
        **kwargs: Any,
    ) -> Any:
        messages, options = self._prepare(input, config)
        decision = self._route(messages, options)
        log = AttemptLog()
        for name in self._order(decision):
            child = self._child_config(config, run_manager, name, decision)
            try:
                for attempt in retrying(self.retry):
                    with attempt, log.call(name):
                        output = self.models[name].invoke(messages, child, **kwargs)
            except Exception as exc:
                log.gave_up(name, exc)
                continue
            return with_metadata(output, log.metadata(decision, name))
        raise log.exhausted()

    async def _ainvoke(
        self,
        input: LanguageModelInput,
        run_manager: AsyncCallbackManagerForChainRun,
        config: RunnableConfig,
        **kwargs: Any,
    ) -> Any:
        messages, options = self._prepare(input, config)
        decision = await self._aroute(messages, options)
        log = AttemptLog()
        for name in self._order(decision):
            child = self._child_config(config, run_manager, name, decision)
            try:
                async for attempt in async_retrying(self.retry):
                    with attempt, log.call(name):
                        output = await self.models[name].ainvoke(messages, child, **kwargs)
            except Exception as exc:
                log.gave_up(name, exc)
                continue
            return with_metadata(output, log.metadata(decision, name))
        raise log.exhausted()

    def _stream(
        self,
        inputs: Iterator[LanguageModelInput],
        run_manager: CallbackManagerForChainRun,
        config: RunnableConfig,
        **kwargs: Any,
    ) -> Iterator[Any]:
        """Retry and fall back only until a candidate yields its first chunk; from then on its
        chunks pass through as they come, and a failure ends the stream."""
        messages, options = self._prepare(next(inputs), config)
        decision = self._route(messages, options)
        log = AttemptLog()
        for name in self._order(decision):
            child = self._child_config(config, run_manager, name, decision)
            try:
                for attempt in retrying(self.retry):
                    with attempt, log.call(name):
                        stream = self.models[name].stream(messages, child, **kwargs)
                        first = next(stream, _EMPTY)
            except Exception as exc:
                log.gave_up(name, exc)
                continue
            if first is _EMPTY:
                return
            yield with_metadata(first, log.metadata(decision, name))
            chunks = 1
            try:
                for chunk in stream:
                    yield chunk
                    chunks += 1
            except Exception as exc:
                raise StreamInterruptedError(name, chunks, exc) from exc
            finally:
                stream.close()
            return
        raise log.exhausted()

    async def _astream(
        self,
        inputs: AsyncIterator[LanguageModelInput],
        run_manager: AsyncCallbackManagerForChainRun,
        config: RunnableConfig,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """`_stream` for asyncio."""
        messages, options = self._prepare(await anext(inputs), config)
        decision = await self._aroute(messages, options)
        log = AttemptLog()
        for name in self._order(decision):
            child = self._child_config(config, run_manager, name, decision)
            try:
                async for attempt in async_retrying(self.retry):
                    with attempt, log.call(name):
                        stream = self.models[name].astream(messages, child, **kwargs)
                        first = await anext(stream, _EMPTY)
            except Exception as exc:
                log.gave_up(name, exc)
                continue
            if first is _EMPTY:
                return
            yield with_metadata(first, log.metadata(decision, name))
            chunks = 1
            try:
                async for chunk in stream:
                    yield chunk
                    chunks += 1
            except Exception as exc:
                raise StreamInterruptedError(name, chunks, exc) from exc
            finally:
                await stream.aclose()
            return
        raise log.exhausted()
