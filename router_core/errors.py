"""Typed errors: every failure names what went wrong and where, so users can fix their input."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError


class ModelSATError(Exception):
    """Base class of every error raised on purpose by langchain-modelsat."""


class DataFormatError(ModelSATError, ValueError):
    """A data file is malformed; names the file, the record or line, and the problem."""

    def __init__(self, path: str | Path, problem: str, *, location: str | None = None) -> None:
        self.path = str(path)
        self.location = location
        self.problem = problem
        where = f"{self.path} ({location})" if location else self.path
        super().__init__(f"{where}: {problem}")


class CardError(ModelSATError, ValueError):
    """A capability card is missing, malformed or does not fit the aptitude test it claims."""


class ConfigError(ModelSATError, ValueError):
    """A configuration (zoo, router, split...) asks for something that does not exist."""


class CheckpointError(ModelSATError):
    """A router checkpoint is missing, tampered with, or holds weights in an unsafe format."""


class AptitudeRunError(ModelSATError):
    """Aptitude items still failed after every retry; `failures` maps each item id to its last error."""

    def __init__(self, message: str, failures: dict[str, str]) -> None:
        self.failures = failures
        super().__init__(message)


class CodeExecutionNotAllowedError(ConfigError):
    """A code item would run model-written code, which needs an explicit opt-in."""


class UnusableReplyError(ModelSATError, TypeError):
    """A model or judge callable returned something that is not reply text (a bug in the callable)."""


class UnreadableVerdictError(ModelSATError, ValueError):
    """A judge's reply names neither output as the better one; asked again, it may answer plainly."""


class NoModelChosenError(ModelSATError):
    """A selection policy found no candidate it may choose (e.g. none reaches the threshold)."""


class EngineOverloadedError(ModelSATError):
    """The routing engine's queue stayed full for the whole request timeout (back-pressure)."""


class ServiceError(ModelSATError):
    """The routing service (`modelsat serve`) could not be reached, refused the call, or gave an
    answer that is not a decision; a routing call degrades instead unless `degrade=False`."""


class AllCandidatesFailedError(ModelSATError):
    """Every candidate model failed; `attempts` lists each (model, error) in the order tried."""

    def __init__(self, attempts: list[tuple[str, BaseException]]) -> None:
        self.attempts = attempts
        tried = "; ".join(f"{model}: {type(error).__name__}: {error}" for model, error in attempts)
        super().__init__(f"all {len(attempts)} attempts failed ({tried})")


class NoCapableCandidateError(ModelSATError, ValueError):
    """No candidate's card can serve the request (tools, images or its length); `shortfalls` maps
    each candidate to why it was left out."""

    def __init__(self, needs: str, shortfalls: dict[str, list[str]]) -> None:
        self.needs = needs
        self.shortfalls = shortfalls
        why = "; ".join(f"{name}: {', '.join(reasons)}" for name, reasons in shortfalls.items())
        super().__init__(
            f"no candidate can serve this request ({needs}): {why}; add a candidate whose card "
            "states it (facts.tool_calling, facts.vision, facts.context_length, and a price within "
            "the cost cap when there is one)"
        )


class OverrideRefusedError(ConfigError):
    """A call asked to change what the operator does not let it change (force a candidate, switch
    the policy, raise the cost cap); `key` names the option. Refused, never silently ignored."""

    def __init__(self, key: str, why: str) -> None:
        self.key = key
        super().__init__(f"{key} refused: {why}")


def validation_summary(exc: ValidationError, top: str = "(top)") -> str:
    """A pydantic error on one line: 'scores.0.accuracy: Input should be ...; model: Field required'
    (`top` names an error of the whole object)."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or top}: {e['msg']}" for e in exc.errors())


def not_utf8(path: str | Path) -> DataFormatError:
    """The error of a text file that is not UTF-8, located at its first bad byte (line and column,
    counted from 1): raised where a `UnicodeDecodeError` would otherwise escape as a traceback."""
    try:
        raw = Path(path).read_bytes()
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        return DataFormatError(
            path,
            f"not UTF-8 text: byte {raw[exc.start]:#04x} at column {column} ({exc.reason}); "
            "save the file as UTF-8",
            location=f"line {line}",
        )
    except OSError:
        pass
    return DataFormatError(path, "not UTF-8 text; save the file as UTF-8")
