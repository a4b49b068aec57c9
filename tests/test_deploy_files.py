"""The deployment files keep their promises (there is no Docker daemon to run them here):
docker-compose.yml, the Dockerfile, .env.example, and deploy/Caddyfile read by a real Caddy."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import yaml

from tests.cluster.caddy import CADDY, caddy_version, caddyfile_for

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return found


def test_compose_runs_postgres_redis_scalable_hostkit_and_caddy_each_with_a_healthcheck() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "hostkit", "caddy"}
    for name, service in services.items():
        assert "test" in service["healthcheck"], name
        assert service["restart"] == "unless-stopped", name
    hostkit = services["hostkit"]
    assert "container_name" not in hostkit and "ports" not in hostkit  # --scale works
    assert hostkit["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert hostkit["depends_on"]["redis"]["condition"] == "service_healthy"
    command = hostkit["command"]
    assert any(arg.startswith("--store=postgresql://") for arg in command)
    assert any(arg.startswith("--bus=redis://") for arg in command)
    assert not any("PASSWORD" in arg for arg in command)  # not in `ps`; PGPASSWORD instead
    grace = int(hostkit["stop_grace_period"].rstrip("s"))
    assert grace > 3 * 5  # the drain, the last answers and closes, before any SIGKILL


def test_compose_volumes_are_named_and_caddy_uses_the_tested_caddyfile() -> None:
    spec = compose()
    declared = set(spec["volumes"])
    for name, service in spec["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source in declared or source == "./deploy/Caddyfile", (name, volume)
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in spec["services"]["caddy"]["volumes"]
    assert {"80:80", "443:443"} <= set(spec["services"]["caddy"]["ports"])


def test_every_setting_the_compose_file_needs_is_in_env_example() -> None:
    needed = set(re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text()))
    example = (ROOT / ".env.example").read_text()
    offered = set(re.findall(r"^(\w+)=", example, flags=re.MULTILINE))
    assert needed <= offered, needed - offered
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_the_dockerfile_copies_what_the_wheel_needs_and_stops_gracefully_as_non_root() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    included = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    copied = set(re.findall(r"^COPY (\S+) ", dockerfile, flags=re.MULTILINE))
    assert set(included) | {"hostkit"} <= copied, set(included) - copied
    assert "libpango-1.0-0" in dockerfile and "fonts-" in dockerfile  # PDF digests
    entrypoint = re.search(r"^ENTRYPOINT (.+)$", dockerfile, flags=re.MULTILINE)
    assert entrypoint is not None
    assert json.loads(entrypoint.group(1))[:4] == ["tini", "--", "hostkit", "serve"]
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile


def adapted(tmp_path: Path, **env: str) -> dict[str, Any]:
    """deploy/Caddyfile as the real caddy binary understands it, with compose's settings."""
    config = tmp_path / "Caddyfile"
    config.write_text(caddyfile_for(caddy_version()))
    upstreams = compose()["services"]["caddy"]["environment"]["HOSTKIT_UPSTREAMS"]
    default = re.fullmatch(r"\$\{HOSTKIT_UPSTREAMS:-(.+)\}", upstreams)
    assert default is not None
    environment = {
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "HOSTKIT_UPSTREAMS": default.group(1),
        "CADDY_ADMIN": "localhost:2019",
        **env,
    }
    for command in ("validate", "adapt"):
        done = subprocess.run(
            [CADDY, command, "--config", str(config), "--adapter", "caddyfile"],
            capture_output=True, text=True, env=environment, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def proxy_of(config: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(config)
    handler = re.search(r'\{"handler": "reverse_proxy".*', text)
    assert handler is not None
    found: dict[str, Any] = json.JSONDecoder().raw_decode(handler.group(0))[0]
    return found


def test_caddy_proxies_to_every_node_with_active_health_checks_and_https(tmp_path: Path) -> None:
    config = adapted(tmp_path, HOSTKIT_DOMAIN="talk.example.org", HOSTKIT_TLS="you@example.org")
    proxy = proxy_of(config)
    assert [u["dial"] for u in proxy["upstreams"]] == [
        f"hostkit-hostkit-{n}:8000" for n in (1, 2, 3)
    ]
    active = proxy["health_checks"]["active"]
    assert active["uri"] == "/healthz"
    assert active["interval"] <= 1_000_000_000  # a draining node is out within a second
    if caddy_version() >= (2, 7):
        assert proxy["stream_close_delay"] > 0  # WebSockets survive a reload
    server = next(iter(config["apps"]["http"]["servers"].values()))
    assert server["listen"] == [":443"]  # automatic HTTPS for the domain
    policies = json.dumps(config["apps"].get("tls", {}))
    assert "you@example.org" in policies


def test_caddy_serves_a_hall_lan_with_its_own_certificate_authority(tmp_path: Path) -> None:
    config = adapted(tmp_path, HOSTKIT_DOMAIN="hostkit.lan", HOSTKIT_TLS="internal")
    assert '"module": "internal"' in json.dumps(config["apps"]["tls"])
