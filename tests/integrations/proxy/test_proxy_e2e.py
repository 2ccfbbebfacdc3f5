"""The real LiteLLM proxy with the shipped example config: routed deployments, fallback, streaming."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / "integrations" / "proxy" / "config.yaml"
LITELLM = ROOT / ".venv" / "bin" / "litellm"
CHAT_IDS = {"llama-8b", "phi-3-mini", "mathstral"}

pytestmark = pytest.mark.slow  # starts real proxy processes (about a minute); CI runs them


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launch(config: Path, tmp_path: Path) -> tuple[subprocess.Popen, int, str, Path]:
    port, key = _free_port(), f"sk-{secrets.token_hex(32)}"
    log = tmp_path / "proxy.log"
    env = {
        **os.environ,
        "LITELLM_MASTER_KEY": key,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "OMP_NUM_THREADS": "1",
        # offline: litellm would otherwise retry fetching a llama tokenizer from the Hub on the first stream
        "HF_HUB_OFFLINE": "1",
    }
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(LITELLM), "--config", str(config), "--port", str(port), "--host", "127.0.0.1"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return proc, port, key, log


def _start(config: Path, tmp_path: Path) -> Iterator[tuple[httpx.Client, Path]]:
    proc, port, key, log = _launch(config, tmp_path)
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}, timeout=60
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"proxy exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"proxy did not start:\n{log.read_text()[-3000:]}"
            try:
                if client.get("/health/liveliness").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        yield client, log
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory) -> Iterator[tuple[httpx.Client, Path]]:
    assert LITELLM.exists(), f"{LITELLM} not found: install the 'proxy' extra"
    yield from _start(CONFIG, tmp_path_factory.mktemp("proxy"))


def _chat(client: httpx.Client, model: str, text: str, **extra) -> httpx.Response:
    return client.post(
        "/v1/chat/completions",
        json={"model": model, "messages": [{"role": "user", "content": text}], **extra},
    )


def test_routes_to_a_deployment_of_the_group(proxy):
    client, _ = proxy
    response = _chat(client, "chat", "What is the integral of x^2 from 0 to 3?")
    assert response.status_code == 200, response.text
    chosen = response.headers["x-litellm-model-id"]
    assert chosen in CHAT_IDS
    assert response.headers["x-modelsat-chosen"] == chosen
    assert 0 < float(response.headers["x-modelsat-probability"]) < 1
    assert response.headers["x-modelsat-policy"] == "best"
    assert response.json()["choices"][0]["message"]["content"] == f"answer from {chosen}"


@pytest.mark.parametrize(
    ("metadata", "key"),
    [({"modelsat_policy": "best"}, "modelsat_policy"), ({"modelsat_model": "mathstral"}, "modelsat_model")],
)
def test_a_client_override_is_refused_with_a_400_naming_it(proxy, metadata, key):
    """The shipped config lets no client override the policy or the deployment (issue #22, item 2)."""
    client, _ = proxy
    response = _chat(client, "chat", "What is the integral of x^2 from 0 to 3?", metadata=metadata)
    assert response.status_code == 400, response.text
    assert f"Model-SAT: {key} refused: the operator does not let this caller override" in response.text


def test_failing_group_falls_back_to_a_routed_deployment(proxy):
    client, _ = proxy
    response = _chat(client, "flaky", "Summarise the causes of World War I.")
    assert response.status_code == 200, response.text
    assert response.headers["x-litellm-attempted-fallbacks"] == "1"
    assert response.headers["x-litellm-model-id"] in CHAT_IDS
    assert response.headers["x-modelsat-chosen"] == response.headers["x-litellm-model-id"]


def test_streaming(proxy):
    client, _ = proxy
    with client.stream(
        "POST",
        "/v1/chat/completions",
        json={
            "model": "chat",
            "stream": True,
            "messages": [{"role": "user", "content": "Draft a sales contract."}],
        },
        headers={"Accept-Encoding": "identity"},  # a compressed event stream is only flushed at its end
    ) as response:
        assert response.status_code == 200
        chosen = response.headers["x-litellm-model-id"]
        assert response.headers["x-modelsat-chosen"] == chosen
        lines = []
        for line in response.iter_lines():
            if line.startswith("data: "):
                lines.append(line[6:])
            if lines and lines[-1] == "[DONE]":
                break
    assert lines[-1] == "[DONE]"
    text = "".join(json.loads(c)["choices"][0]["delta"].get("content") or "" for c in lines[:-1])
    assert chosen in CHAT_IDS and text == f"answer from {chosen}"


def test_startup_says_model_sat_is_installed_and_warmed_up(proxy):
    _, log = proxy
    lines = [line for line in log.read_text().splitlines() if "Model-SAT routing installed" in line]
    assert len(lines) == 1, log.read_text()[-3000:]
    assert "warmed up" in lines[0] and "chat: llama-8b, phi-3-mini, mathstral" in lines[0]
    assert "client overrides none, no cost cap" in lines[0]


def _log_of_a_stopped_start(config: Path, tmp_path: Path) -> str:
    """Start the proxy with `config`, expect it to exit with 3, and return its log."""
    proc, _, _, log = _launch(config, tmp_path)
    try:
        assert proc.wait(timeout=120) == 3
    finally:
        if proc.poll() is None:
            proc.kill()
    return log.read_text()


def test_a_deployment_without_a_card_stops_the_proxy_at_startup(tmp_path):
    bad = tmp_path / "config.yaml"
    bad.write_text(CONFIG.read_text().replace("      modelsat_card: gemma-7b\n", ""))
    text = _log_of_a_stopped_start(bad, tmp_path)
    assert "Model-SAT cannot route for this proxy, stopping it" in text
    assert "no capability card" in text and "gemma-broken" in text


def test_a_checkpoint_with_a_bad_router_config_stops_the_proxy_at_startup(tmp_path):
    """Without a warm-up too: the proxy must not report healthy and answer every request with a 500."""
    import hashlib

    from router_core.model.checkpoint import FORMAT

    checkpoint = tmp_path / "ckpt"
    checkpoint.mkdir()
    config = checkpoint / "network_config.json"
    config.write_text(json.dumps({"llm_layers": "four"}))
    files = {"network_config.json": hashlib.sha256(config.read_bytes()).hexdigest()}
    (checkpoint / "manifest.json").write_text(json.dumps({"format": FORMAT, "files": files}))
    bad = tmp_path / "config.yaml"
    bad.write_text(
        CONFIG.read_text().replace("    warmup: true", f"    warmup: false\n    checkpoint: {checkpoint}")
    )
    text = _log_of_a_stopped_start(bad, tmp_path)
    assert "Model-SAT cannot route for this proxy, stopping it" in text
    assert "network_config.json" in text and "llm_layers" in text
