"""deploy/hearth.service: what the issue requires, `systemd-analyze verify`, exposure <= 3.0."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "hearth.service"
EXEC_START = "/opt/hearth/venv/bin/hearth --config /etc/hearth/config.toml run"
MAX_EXPOSURE = 3.0
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None,
    reason="systemd-analyze is not installed (apt-get install systemd); unit not verified",
)


def parse_unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """Sections -> (key, value) pairs in order; repeated keys are kept, as systemd does."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None, f"directive outside a section: {line}"
        key, sep, value = line.partition("=")
        assert sep, f"not a directive: {line}"
        current.append((key.strip(), value.strip()))
    return sections


def values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in section if k == key]


def the(section: list[tuple[str, str]], key: str) -> str:
    found = values(section, key)
    assert len(found) == 1, f"{key}= appears {len(found)} times"
    return found[0]


def test_unit_has_what_the_issue_requires() -> None:
    unit = parse_unit(UNIT.read_text())
    svc, u = unit["Service"], unit["Unit"]
    assert the(svc, "Type") == "notify"
    assert the(svc, "ExecStart") == EXEC_START
    assert int(the(svc, "WatchdogSec")) > 0
    assert the(svc, "Restart") == "on-failure"
    assert "78" in the(svc, "RestartPreventExitStatus").split()
    after = " ".join(values(u, "After")).split()
    wants = " ".join(values(u, "Wants")).split()
    for dep in ("network-online.target", "time-sync.target", "mosquitto.service"):
        assert dep in after
    assert {"network-online.target", "mosquitto.service"} <= set(wants)
    assert "mosquitto.service" not in " ".join(values(u, "Requires"))  # wanted, not required
    assert the(svc, "User") == "hearth"
    for key, value in [
        ("StateDirectory", "hearth"), ("ConfigurationDirectory", "hearth"),
        ("RuntimeDirectory", "hearth"), ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"), ("PrivateTmp", "yes"), ("PrivateDevices", "yes"),
        ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"),
    ]:
        assert the(svc, key) == value, key
    assert values(svc, "MemoryMax")
    assert set(values(svc, "LoadCredential")) == {
        "anthropic_api_key:/etc/hearth/secrets/anthropic_api_key",
        "mqtt_password:/etc/hearth/secrets/mqtt_password",
    }
    assert unit["Install"] == [("WantedBy", "multi-user.target")]


def test_no_secret_travels_through_the_environment() -> None:
    unit = parse_unit(UNIT.read_text())
    assert values(unit["Service"], "Environment") == []
    assert values(unit["Service"], "EnvironmentFile") == []
    assert not re.search(r"sk-ant-|ANTHROPIC_API_KEY", UNIT.read_text())


def _unit_with_real_program(tmp_path: Path) -> Path:
    # verify checks that ExecStart's program exists; point /opt/hearth at a real `hearth`
    # (this venv's) and leave every other line as shipped.
    root = tmp_path / "root"
    bindir = root / "opt" / "hearth" / "venv" / "bin"
    bindir.mkdir(parents=True)
    installed = Path(sys.executable).parent / "hearth"
    assert installed.exists(), "the test venv has no `hearth` script; run pip install -e ."
    (bindir / "hearth").symlink_to(installed)
    unit = tmp_path / "hearth.service"
    unit.write_text(UNIT.read_text().replace("/opt/hearth/", f"{root}/opt/hearth/"))
    return unit


@needs_analyze
def test_systemd_analyze_verify_passes(tmp_path: Path) -> None:
    assert SYSTEMD_ANALYZE is not None
    unit = _unit_with_real_program(tmp_path)
    done = subprocess.run([SYSTEMD_ANALYZE, "verify", str(unit)], capture_output=True,
                          text=True, timeout=60, check=False)
    complaints = [line for line in (done.stdout + done.stderr).splitlines()
                  if "hearth.service" in line]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr


@needs_analyze
def test_offline_security_exposure_is_at_most_3(tmp_path: Path) -> None:
    assert SYSTEMD_ANALYZE is not None
    unit = _unit_with_real_program(tmp_path)
    # systemd 252 compares --threshold in tenths (exposure 1.2 fails 11 and passes 12), so
    # 3.0 is 30; the printed figure is checked as well, whatever the version's convention.
    done = subprocess.run(
        [SYSTEMD_ANALYZE, "security", "--offline=yes", "--threshold=30", "--no-pager", str(unit)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    found = re.search(r"Overall exposure level for hearth\.service: ([0-9.]+)", done.stdout)
    assert found, done.stdout + done.stderr
    exposure = float(found.group(1))
    print(f"systemd-analyze security --offline=yes: exposure {exposure} (limit {MAX_EXPOSURE})")
    assert done.returncode == 0, done.stdout + done.stderr
    assert exposure <= MAX_EXPOSURE
