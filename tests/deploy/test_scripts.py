"""deploy/install.sh passes shellcheck (when installed) and documents its options."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

INSTALL = Path(__file__).resolve().parents[2] / "deploy" / "install.sh"


@pytest.mark.skipif(shutil.which("shellcheck") is None,
                    reason="shellcheck is not installed (apt-get install shellcheck)")
def test_installer_passes_shellcheck() -> None:
    done = subprocess.run(["shellcheck", "--shell=bash", str(INSTALL)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_option_is_in_the_usage_text() -> None:
    text = INSTALL.read_text()
    handled = set(re.findall(r"^\s+(--[a-z-]+)(?:=\*)?\)", text, re.M))
    usage = subprocess.run(["bash", str(INSTALL), "--help"], capture_output=True, text=True,
                           timeout=30, check=True).stdout
    documented = set(re.findall(r"(--[a-z-]+)", usage))
    assert handled, "no options found: the case patterns changed shape"
    assert handled == documented


RUN = INSTALL.parents[1] / "scripts" / "run"


def test_scripts_run_passes_shellcheck() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    done = subprocess.run(["shellcheck", str(RUN)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def _checkout_with_installed_venv(tmp_path: Path) -> Path:
    """A copy of scripts/run in a tree whose .venv is already installed (the stamp is newer
    than pyproject.toml) and runs this checkout's hearth, so no pip runs."""
    import sys

    tree = tmp_path / "checkout"
    (tree / "scripts").mkdir(parents=True)
    shutil.copy2(RUN, tree / "scripts" / "run")
    (tree / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    venv_bin = tree / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    for name, argv in (("python", f'"{sys.executable}"'),
                       ("hearth", f'"{sys.executable}" -m agent.cli.main')):
        script = venv_bin / name
        script.write_text(f'#!/bin/sh\ncd "{INSTALL.parents[1]}" && exec {argv} "$@"\n')
        script.chmod(0o755)
    stamp = tree / ".venv" / ".hearth-installed"
    stamp.touch()
    os.utime(tree / "pyproject.toml", (stamp.stat().st_mtime - 60,) * 2)
    return tree


def test_scripts_run_says_how_to_stop_and_where_the_state_is(tmp_path: Path) -> None:
    from tests.support.broker import free_port

    if subprocess.run(["python3", "-c", "import ensurepip, venv"], check=False,
                      capture_output=True).returncode != 0:
        pytest.skip("python3 here cannot make virtual environments")
    tree = _checkout_with_installed_venv(tmp_path)
    state = tmp_path / "state"
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[hearth]\nstate_dir = "{state}"\nlog_level = "INFO"\n\n'
                   f'[mqtt]\nhost = "127.0.0.1"\nport = {free_port()}\n\n'
                   f'[ollama]\nhost = "http://127.0.0.1:{free_port()}"\n')
    err = tmp_path / "stderr"
    env = {k: v for k, v in os.environ.items()
           if k not in ("HEARTH_CONFIG", "JOURNAL_STREAM", "INVOCATION_ID", "NOTIFY_SOCKET")}
    with err.open("w") as sink:
        proc = subprocess.Popen(["bash", str(tree / "scripts" / "run"), str(cfg)],
                                stdout=subprocess.DEVNULL, stderr=sink, env=env)
        try:
            deadline = time.monotonic() + 60
            while "hearth is ready" not in err.read_text():
                assert proc.poll() is None, err.read_text()
                assert time.monotonic() < deadline, err.read_text()
                time.sleep(0.1)
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 0, err.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    text = err.read_text()
    assert f"scripts/run: starting hearth with {cfg}; stop it with Ctrl-C; state: {state}\n" \
        in text
    assert "installing hearth" not in text and "creating .venv" not in text
