"""deploy/install.sh passes shellcheck (when installed) and documents its options."""

from __future__ import annotations

import re
import shutil
import subprocess
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
