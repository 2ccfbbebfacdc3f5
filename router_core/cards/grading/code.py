"""The code grader: the reply's Python passes the item's unit tests, run in a limited subprocess.

Grading code means running what a model wrote on this machine, so it is off unless the caller
opts in (`allow_execution=True`). The program runs under `python -I -S` (no site-packages, no
user or current folder on the path, so it cannot import this project or anything installed: the
standard library only), in a fresh temporary folder, with standard input closed and an
environment of PATH and LANG only (no API keys). A launcher sets resource limits in the child
itself before it executes the program (`preexec_fn` is unsafe here: the runner grades in
threads): 1 GiB of address space, CPU seconds a little above the timeout, 16 MiB per written
file, no new processes or threads, no core dumps. The whole process group is killed at the
wall-clock timeout. These are limits on resources, not a security sandbox: the program can
still read what the user can. Grade untrusted models inside a container or VM.
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import tempfile
from contextlib import suppress
from pathlib import Path

from router_core.errors import CodeExecutionNotAllowedError, ConfigError

DEFAULT_TIMEOUT_S = 10.0
MEMORY_BYTES = 1 << 30
FILE_BYTES = 16 << 20
_FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\n(.*?)```", re.DOTALL | re.IGNORECASE)
_PROGRAM = "program.py"
_LAUNCHER = """
import os, resource, sys
def limit(name, value):
    which = getattr(resource, name, None)
    if which is None:
        return
    hard = resource.getrlimit(which)[1]
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(which, (value, value))
for name, value in {limits!r}:
    limit(name, value)
os.execv(sys.executable, [sys.executable, "-I", "-S", {program!r}])
"""


def extract_code(reply: str) -> str:
    """The last fenced Python block of the reply (```python, ```py or a bare ```), else the whole reply."""
    blocks = _FENCE.findall(reply)
    return blocks[-1] if blocks else reply


def grade_code(
    reply: str,
    tests: str,
    entry_point: str | None = None,
    *,
    allow_execution: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> float:
    """1.0 when the reply's code passes `tests`, else 0.0 (a failure, a crash, the timeout).

    `tests` are MBPP-style asserts, or with `entry_point` a HumanEval `check(candidate)` that is
    called on that function. Runs the model's code: raises CodeExecutionNotAllowedError unless
    `allow_execution` is True.
    """
    if not allow_execution:
        raise CodeExecutionNotAllowedError(
            "grading a code item runs the model's code on this machine; opt in with allow_execution=True"
        )
    if os.name != "posix":
        raise ConfigError("grading code items needs a POSIX system (its resource limits)")
    parts = [extract_code(reply), tests]
    if entry_point:
        parts.append(f"check({entry_point})")
    return float(_passes("\n\n".join(parts) + "\n", timeout_s))


def _passes(program: str, timeout_s: float) -> bool:
    """Whether `program` exits with status 0 within `timeout_s` under the limits above."""
    limits = [
        ("RLIMIT_AS", MEMORY_BYTES),
        ("RLIMIT_CPU", math.ceil(timeout_s) + 1),
        ("RLIMIT_FSIZE", FILE_BYTES),
        ("RLIMIT_NPROC", 0),
        ("RLIMIT_CORE", 0),
    ]
    environment = {"PATH": os.environ.get("PATH", os.defpath), "LANG": os.environ.get("LANG", "C.UTF-8")}
    with tempfile.TemporaryDirectory(prefix="modelsat-code-") as folder:
        Path(folder, _PROGRAM).write_text(program, encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _LAUNCHER.format(limits=limits, program=_PROGRAM)],
            cwd=folder,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            status = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            status = None
        finally:
            with suppress(ProcessLookupError, PermissionError):  # the group may be gone already
                os.killpg(process.pid, signal.SIGKILL)  # whatever the program left running
            process.wait()
    return status == 0
