"""`modelsat serve`: the routing engine as an HTTP service on Ray Serve (docs/serving.md)."""

from __future__ import annotations

import os
import time
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from router_core.cli.common import (
    CheckpointOption,
    DeviceOption,
    InstructionTokensOption,
    PolicyOption,
    PrecisionOption,
    RemoteCodeOption,
    console,
    fail,
)
from router_core.errors import ConfigError, ModelSATError, ServiceError, validation_summary

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def serve_command(
    checkpoint: CheckpointOption = None,
    device: DeviceOption = None,
    precision: PrecisionOption = None,
    instruction_tokens: InstructionTokensOption = None,
    policy: PolicyOption = None,
    trust_remote_code: RemoteCodeOption = False,
    host: Annotated[
        str, typer.Option(help="Address to listen on; another than localhost should come with a token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    replicas: Annotated[int, typer.Option(min=1, help="Replicas (the minimum with --max-replicas).")] = 1,
    max_replicas: Annotated[
        int | None, typer.Option(min=1, help="Autoscale up to this many replicas on queue length.")
    ] = None,
    target_ongoing_requests: Annotated[
        float, typer.Option(min=0.1, help="Queue length per replica that autoscaling aims at.")
    ] = 8.0,
    threads: Annotated[int, typer.Option(min=1, help="Torch threads (and Ray CPUs) per replica.")] = 1,
    gpus: Annotated[
        float | None, typer.Option(min=0, help="GPUs per replica (default: 1 when the cluster has GPUs).")
    ] = None,
    batch_wait_ms: Annotated[
        float, typer.Option(min=0, help="How long serve.batch waits for company (0: what is waiting).")
    ] = 0.0,
    max_request_bytes: Annotated[int, typer.Option(min=1024, help="Largest request body accepted.")] = 1
    << 20,
    address: Annotated[
        str | None,
        typer.Option(
            help="Deploy on this Ray cluster (e.g. auto, ray://head:10001) and return; default: "
            "start a Ray instance here and serve until Ctrl-C."
        ),
    ] = None,
    num_cpus: Annotated[
        int | None,
        typer.Option(min=1, help="CPUs of the local Ray instance (default: replicas x threads + 1)."),
    ] = None,
) -> None:
    """Serve the router over HTTP: POST /v1/route, GET /health (bearer token from MODELSAT_SERVICE_TOKEN)."""
    from router_core.engine import EngineConfig, parse_policy
    from router_core.service.protocol import ROUTE_PATH, TOKEN_ENV

    try:
        from router_core.service.app import ServiceSettings, start, stop
    except ImportError as exc:
        missing = ConfigError(f"Ray Serve is not installed ({exc}): pip install 'langchain-modelsat[serve]'")
        raise fail(missing) from exc
    given: dict[str, Any] = {
        "checkpoint": None if checkpoint is None else str(checkpoint),
        "device": device,
        "precision": precision,
        "instruction_tokens": instruction_tokens,
        "allow_remote_code": trust_remote_code,
    }
    try:
        if policy is not None:
            given["policy"] = parse_policy(policy)  # an unknown policy fails here, not in every replica
        settings = ServiceSettings(
            engine=EngineConfig(**{k: v for k, v in given.items() if v is not None}),
            replicas=replicas,
            max_replicas=max_replicas,
            target_ongoing_requests=target_ongoing_requests,
            threads=threads,
            gpus=gpus,
            batch_wait_ms=batch_wait_ms,
            max_request_bytes=max_request_bytes,
        )
    except ValidationError as exc:
        raise fail(ConfigError(f"invalid service settings: {validation_summary(exc)}")) from exc
    except ModelSATError as exc:
        raise fail(exc) from exc
    if host not in LOCAL_HOSTS and not os.environ.get(TOKEN_ENV):
        console.print(
            f"[bold yellow]warning:[/] listening on {host} with no {TOKEN_ENV}: anyone who reaches "
            "it can route"
        )
    try:
        with console.status("starting Ray and deploying the router (loads the checkpoint in each replica)"):
            url = start(settings, host=host, port=port, address=address, num_cpus=num_cpus)
    except ModelSATError as exc:
        raise fail(exc) from exc
    except RuntimeError as exc:  # Ray's: a replica that could not start, a cluster out of reach
        raise fail(ServiceError(f"the routing service did not start: {exc}")) from exc
    console.print(f"routing service at {url} (POST {url}{ROUTE_PATH}); clients set service_url: {url}")
    if address is not None:
        return  # the deployment lives on the cluster: `serve status` shows it, `serve shutdown` ends it
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("stopping the routing service")
    finally:
        stop()
