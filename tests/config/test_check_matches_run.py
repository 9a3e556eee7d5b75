"""`hearth config check`, `hearth doctor` and `hearth run` accept and refuse the same configs:
all three call one function, skills and their `[skills.<name>]` sections included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli.main import main
from tests.doctor.conftest import parse_table
from tests.support.broker import free_port
from tests.support.daemon_proc import DaemonProcess

REPO = Path(__file__).resolve().parents[2]

BAD = {
    "unknown skill": ("[skills.nosuch]\nenabled = true\n", "skills.nosuch: no installed skill"),
    "unknown key in a skill": ("[skills.news]\nbogus = 1\n", "skills.news.bogus"),
    "unknown key in a skill without config": ("[skills.home]\nflavour = 'mint'\n",
                                              "skills.home.flavour: unknown key"),
}


def _config(tmp_path: Path, extra: str) -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n\n'
                   f'[mqtt]\nhost = "127.0.0.1"\nport = {free_port()}\n\n'
                   f'[ollama]\nhost = "http://127.0.0.1:{free_port()}"\n\n'
                   '[anthropic]\napi_key = { env = "HEARTH_CHECK_TEST_UNSET" }\n\n' + extra)
    return cfg


@pytest.mark.parametrize("case", sorted(BAD))
def test_config_check_refuses_what_run_refuses(tmp_path: Path, case: str) -> None:
    extra, said = BAD[case]
    cfg = _config(tmp_path, extra)
    check = subprocess.run([sys.executable, "-m", "agent.cli.main", "config", "check", str(cfg)],
                           capture_output=True, text=True, cwd=REPO, check=False, timeout=60)
    assert check.returncode == 78, check.stdout + check.stderr
    assert said in check.stderr

    daemon = DaemonProcess(cfg, tmp_path)
    try:
        assert daemon.wait(timeout=30) == 78, daemon.log_text()
        assert said in daemon.log_text()
    finally:
        daemon.close()


@pytest.mark.parametrize("case", sorted(BAD))
def test_doctor_fails_the_config_check_for_what_run_refuses(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    extra, said = BAD[case]
    cfg = _config(tmp_path, extra)
    assert main(["--config", str(cfg), "doctor", "--timeout", "1"]) == 1
    table = parse_table(capsys.readouterr().out)
    assert table["config"][0] == "FAIL"
    assert said in table["config"][1]


def test_a_good_skill_section_passes_all_three(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _config(tmp_path, "[skills.news]\nenabled = false\n")
    assert main(["config", "check", str(cfg)]) == 0
    assert capsys.readouterr().out.startswith("OK")
    main(["--config", str(cfg), "doctor", "--timeout", "1"])
    assert parse_table(capsys.readouterr().out)["config"][0] == "PASS"
