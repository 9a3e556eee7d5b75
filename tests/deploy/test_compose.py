"""deploy/compose.yaml and deploy/Dockerfile: docker cannot run here, so check what can be
checked without it: the YAML, the health checks, and that every path and command exists."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from agent.cli.main import build_parser
from agent.config import load_config

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(data, dict)
    return data


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text())
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_three_services_with_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"hearth", "mosquitto", "ollama"} <= set(services)
    for name in ("hearth", "mosquitto", "ollama"):
        check = services[name]["healthcheck"]
        assert check["test"][0] == "CMD", name
        assert services[name]["restart"] == "unless-stopped"
    hearth_deps = services["hearth"]["depends_on"]
    assert hearth_deps == {"mosquitto": {"condition": "service_healthy"},
                           "ollama": {"condition": "service_healthy"}}


def test_every_mounted_and_built_path_exists(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{name}: {source}"
            else:
                assert source in compose["volumes"], f"{name}: undeclared volume {source}"
    build = compose["services"]["hearth"]["build"]
    context = (DEPLOY / build["context"]).resolve()
    assert context == REPO
    assert (context / build["dockerfile"]).is_file()
    # The key file is the household's to create; its directory ships (and ignores its content).
    secret = DEPLOY / compose["secrets"]["anthropic_api_key"]["file"]
    assert secret.parent.is_dir()
    assert (secret.parent / ".gitignore").read_text().splitlines()[-2:] == ["*", "!.gitignore"]


def test_dockerfile_copies_only_what_exists() -> None:
    copies = [args for word, args in dockerfile_instructions() if word == "COPY"]
    assert copies
    for args in copies:
        parts = shlex.split(args)
        if any(p.startswith("--from=") for p in parts):
            continue
        sources = [p for p in parts[:-1] if not p.startswith("--")]
        for source in sources:
            assert (REPO / source).exists(), f"COPY {source}: missing from the build context"


def test_dockerfile_runs_hearth_commands_that_exist() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    instructions = dict(dockerfile_instructions())
    entrypoint = yaml.safe_load(instructions["ENTRYPOINT"])
    assert entrypoint == ["hearth"] and "hearth" in scripts
    parser = build_parser()
    assert parser.parse_args(yaml.safe_load(instructions["CMD"])).command == "run"
    health = yaml.safe_load(instructions["HEALTHCHECK"].split("CMD", 1)[1].strip())
    assert health[0] == "hearth"
    assert parser.parse_args(health[1:]).command == "status"
    assert "USER hearth" in (DEPLOY / "Dockerfile").read_text()


def test_compose_health_check_matches_a_real_command(compose: dict[str, Any]) -> None:
    test = compose["services"]["hearth"]["healthcheck"]["test"]
    assert test[1] == "hearth"
    assert build_parser().parse_args(test[2:]).command == "status"


def test_compose_config_points_at_the_compose_services(compose: dict[str, Any]) -> None:
    config = load_config(DEPLOY / "hearth.compose.toml")
    assert config.mqtt.host in compose["services"]
    assert urlsplit(config.ollama.host).hostname in compose["services"]
    assert str(config.anthropic.api_key.file) == "/run/secrets/anthropic_api_key"
    # The one-shot pull fetches the model the local tier uses.
    pull = compose["services"]["ollama-pull"]["command"]
    assert pull == ["pull", config.tiers["local"].model]
    mounts = compose["services"]["hearth"]["volumes"]
    assert "./hearth.compose.toml:/etc/hearth/config.toml:ro" in mounts


def test_mosquitto_listens_where_compose_says(compose: dict[str, Any]) -> None:
    conf = (DEPLOY / "mosquitto" / "mosquitto.conf").read_text()
    assert re.search(r"^listener 1883$", conf, re.M)
    assert compose["services"]["mosquitto"]["ports"] == ["127.0.0.1:1883:1883"]


def test_build_context_leaves_out_the_venv() -> None:
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    assert {".venv", ".git", "deploy/secrets"} <= set(ignored)
