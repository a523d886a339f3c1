"""A database that does not answer is a 503 in the envelope, never a trace."""

from __future__ import annotations

import socket

from starlette.testclient import TestClient

from notai.app import create_app

from conftest import make_settings


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_postgres_down_is_a_503() -> None:
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/nothing"
    key = "aik_v1_" + "A" * 40
    with TestClient(create_app(make_settings(url)), raise_server_exceptions=False) as client:
        health = client.get("/health")
        api = client.get("/v1/integration", headers={"x-api-key": key})
        collect = client.post(
            "/collect/v1/batch",
            content=b'{"v":1,"integration":"abcdefgh","session":"session-1",'
            b'"events":[{"type":"heartbeat","seq":0,"t":1780000000000}]}',
        )

    assert health.status_code == 503
    assert health.json()["status"] == "unavailable"
    for response in (api, collect):
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert "Traceback" not in response.text
