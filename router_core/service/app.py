"""The routing service on Ray Serve: `modelsat serve`, or `serve deploy` of a config file naming
`router_core.service.app:build` (integrations/serve/config.yaml).

Each replica owns one engine (`LocalEngine`) on its own CPUs or GPU. `serve.batch` hands a replica
the requests that are waiting together, and the engine scores those over the same candidates in
shared forward passes; Ray Serve adds replicas on queue length when autoscaling is on.
"""

# No `from __future__ import annotations`: Ray reads the type of `build`'s argument at run time to
# validate a config file's `args`.

import asyncio
import os

import ray
from pydantic import BaseModel, ConfigDict, Field, model_validator
from ray import serve
from ray.serve import Application
from starlette.requests import Request
from starlette.responses import JSONResponse

from router_core.engine import EngineConfig, LocalEngine
from router_core.service.handler import Reply, RoutingService
from router_core.service.protocol import MAX_REQUEST_BYTES, TOKEN_ENV, RouteRequest

APP_NAME = "modelsat"
DEPLOYMENT_NAME = "ModelSATRouter"


class ServiceSettings(BaseModel):
    """What the operator sets: the engine (checkpoint, precision...), replicas, resources, batching
    and limits. A config file's `args` hold these fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    engine: EngineConfig = Field(default_factory=EngineConfig, description="Each replica's engine")
    replicas: int = Field(default=1, ge=1, description="Replicas; the minimum when autoscaling")
    max_replicas: int | None = Field(
        default=None, ge=1, description="Set: autoscale between `replicas` and this on queue length"
    )
    target_ongoing_requests: float = Field(
        default=8.0,
        gt=0,
        description="Requests in progress or queued per replica that autoscaling aims at; a replica "
        "answers a batch of 4 in a few hundred ms on CPU",
    )
    threads: int = Field(default=1, ge=1, description="Torch threads, and Ray CPUs, per replica")
    gpus: float | None = Field(
        default=None, ge=0, description="GPUs per replica; None: one when the cluster has GPUs, else none"
    )
    batch_size: int = Field(default=64, ge=1, description="Requests `serve.batch` hands over at once")
    batch_wait_ms: float = Field(
        default=0.0,
        ge=0,
        description="How long `serve.batch` waits for company; 0 batches whatever is waiting (the "
        "engine also batches requests that arrive during a forward pass)",
    )
    max_ongoing_requests: int = Field(default=256, ge=1, description="Requests a replica holds at once")
    max_request_bytes: int = Field(default=MAX_REQUEST_BYTES, ge=1024, description="Largest request body")

    @model_validator(mode="after")
    def _checks(self) -> "ServiceSettings":
        if self.engine.service_url is not None:
            raise ValueError("the service's engine routes in the replica; it cannot name a service_url")
        if self.max_replicas is not None and self.max_replicas < self.replicas:
            raise ValueError(f"max_replicas {self.max_replicas} is below replicas {self.replicas}")
        return self

    def deployment_options(self, cluster_gpus: float) -> dict:
        """`Deployment.options` for a cluster with `cluster_gpus` GPUs."""
        gpus = self.gpus if self.gpus is not None else (1.0 if cluster_gpus > 0 else 0.0)
        options: dict = {
            "ray_actor_options": {"num_cpus": self.threads, "num_gpus": gpus},
            "max_ongoing_requests": self.max_ongoing_requests,
        }
        if self.max_replicas is None:
            options["num_replicas"] = self.replicas
        else:
            options["autoscaling_config"] = {
                "min_replicas": self.replicas,
                "max_replicas": self.max_replicas,
                "target_ongoing_requests": self.target_ongoing_requests,
            }
        return options


@serve.deployment(name=DEPLOYMENT_NAME)
class RoutingDeployment:
    """One replica: an engine loaded at start (a checkpoint that cannot load fails the deployment,
    loudly), answering HTTP through `RoutingService`."""

    def __init__(self, settings: ServiceSettings) -> None:
        import torch

        torch.set_num_threads(settings.threads)
        token = os.environ.get(TOKEN_ENV) or None
        engine = LocalEngine(settings.engine).warmup()
        self.service = RoutingService(engine, token=token, max_request_bytes=settings.max_request_bytes)
        # serve.batch's stubs type the decorated method as a plain callable, without its setters
        self.route_batch.set_max_batch_size(settings.batch_size)  # type: ignore[attr-defined]
        self.route_batch.set_batch_wait_timeout_s(settings.batch_wait_ms / 1000)  # type: ignore[attr-defined]

    async def __call__(self, request: Request) -> JSONResponse:
        reply = await self.service.handle(
            request.method,
            request.url.path,
            request.headers.get("authorization"),
            request.stream(),
            route=self.route_batch,
        )
        return JSONResponse(reply.body, status_code=reply.status)

    @serve.batch(max_batch_size=64, batch_wait_timeout_s=0.0)
    async def route_batch(self, requests: list[RouteRequest]) -> list[Reply]:
        """The requests waiting together, routed at once: the engine shares forward passes among
        those over the same candidates."""
        return list(await asyncio.gather(*(self.service.route(request) for request in requests)))


def build(settings: ServiceSettings) -> Application:
    """The application (the import path of a config file's application, its `args` the settings)."""
    cluster_gpus = ray.cluster_resources().get("GPU", 0.0) if ray.is_initialized() else 0.0
    # serve.deployment makes the class a Deployment, which its stubs do not say
    deployment = RoutingDeployment.options(**settings.deployment_options(cluster_gpus))  # type: ignore[attr-defined]
    return deployment.bind(settings)


def start(
    settings: ServiceSettings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    address: str | None = None,
    num_cpus: int | None = None,
) -> str:
    """Deploy the service and return its URL: on the Ray cluster at `address`, or on a Ray instance
    of its own with `num_cpus` CPUs (None: replicas x threads, plus one for Serve's proxy)."""
    if not ray.is_initialized():
        if address is None:
            cpus = num_cpus or settings.replicas * settings.threads + 1
            ray.init(address="local", num_cpus=cpus, include_dashboard=False)
        else:
            ray.init(address=address)
    serve.start(http_options={"host": host, "port": port})
    serve.run(build(settings), name=APP_NAME, route_prefix="/")
    return f"http://{host}:{port}"


def stop() -> None:
    """Stop Serve and leave Ray (stopping the Ray instance `start` began on this machine)."""
    serve.shutdown()
    ray.shutdown()
