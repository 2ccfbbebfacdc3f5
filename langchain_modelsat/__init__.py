"""LangChain integration of Model-SAT: `ModelSATRouter` sends every chat call to the candidate
model most likely to answer it well, with retries and fallback down the router's ranking."""

from langchain_modelsat.attempts import METADATA_KEY
from langchain_modelsat.errors import (
    AllCandidatesFailedError,
    CardError,
    ConfigError,
    InstructionError,
    StreamInterruptedError,
)
from langchain_modelsat.messages import last_human_instruction, to_messages
from langchain_modelsat.options import LAMBDA_KEY, MODEL_KEY, POLICY_KEY
from langchain_modelsat.retry import RetrySettings, is_retryable
from langchain_modelsat.router import ModelSATRouter

__all__ = [
    "LAMBDA_KEY",
    "METADATA_KEY",
    "MODEL_KEY",
    "POLICY_KEY",
    "AllCandidatesFailedError",
    "CardError",
    "ConfigError",
    "InstructionError",
    "ModelSATRouter",
    "RetrySettings",
    "StreamInterruptedError",
    "is_retryable",
    "last_human_instruction",
    "to_messages",
]
