"""LangChain integration of Model-SAT: `ModelSATRouter` is a chat model that sends every call to
the candidate model most likely to answer it well, with retries and fallback down the ranking."""

from importlib.metadata import PackageNotFoundError, version

from langchain_modelsat.attempts import METADATA_KEY
from langchain_modelsat.errors import (
    AllCandidatesFailedError,
    CallTimeoutError,
    CandidateTimeoutError,
    CardError,
    ConfigError,
    InstructionError,
    NoCapableCandidateError,
    OverrideRefusedError,
    StreamInterruptedError,
)
from langchain_modelsat.messages import MessagesToInstruction, last_human_instruction, to_messages
from langchain_modelsat.options import CONVERSATION_KEY, LAMBDA_KEY, MAX_PRICE_KEY, MODEL_KEY, POLICY_KEY
from langchain_modelsat.retry import RetrySettings, is_retryable
from langchain_modelsat.router import ModelSATRouter
from langchain_modelsat.standin import StandInChatModel

try:
    __version__ = version("langchain-modelsat")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "CONVERSATION_KEY",
    "LAMBDA_KEY",
    "MAX_PRICE_KEY",
    "METADATA_KEY",
    "MODEL_KEY",
    "POLICY_KEY",
    "AllCandidatesFailedError",
    "CallTimeoutError",
    "CandidateTimeoutError",
    "CardError",
    "ConfigError",
    "InstructionError",
    "MessagesToInstruction",
    "ModelSATRouter",
    "NoCapableCandidateError",
    "OverrideRefusedError",
    "RetrySettings",
    "StandInChatModel",
    "StreamInterruptedError",
    "__version__",
    "is_retryable",
    "last_human_instruction",
    "to_messages",
]
