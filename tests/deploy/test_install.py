"""deploy/install.sh against a temporary root: installs, runs twice unchanged, keeps config."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "deploy" / "install.sh"
pytestmark = pytest.mark.slow


def run_installer(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DESTDIR"}
    done = subprocess.run(
        ["bash", str(INSTALL), "--root", str(root), *args],
        capture_output=True, text=True, timeout=110, env=env, check=False,
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def install(root: Path) -> subprocess.CompletedProcess[str]:
    # Reuse this interpreter's packages so the venv step takes seconds, not minutes.
    return run_installer(root, "--python", sys.executable,
                         "--dev-site-packages", sysconfig.get_paths()["purelib"])


def tree(root: Path) -> dict[str, int]:
    """Every path under `root` with its permission bits.

    Bytecode caches and the package's own modules are left out: the latter follow the
    checkout, which other work may change between two runs.
    """
    return {
        str(p.relative_to(root)): p.lstat().st_mode & 0o7777
        for p in root.rglob("*")
        if "__pycache__" not in p.parts
        and not any(a == "site-packages" and b in ("agent", "skills")
                    for a, b in zip(p.parts, p.parts[1:], strict=False))
    }


def test_install_twice_is_idempotent_and_keeps_edited_config(tmp_path: Path) -> None:
    root = tmp_path / "root"
    first = install(root)
    config = root / "etc/hearth/config.toml"
    key = root / "etc/hearth/secrets/anthropic_api_key"
    venv = root / "opt/hearth/venv"

    assert "wrote " in first.stdout and "from config.example.toml" in first.stdout
    assert "skipping the service user: the root is" in first.stdout
    assert "skipping systemctl: the root is" in first.stdout
    assert config.read_text() == (REPO / "config.example.toml").read_text()
    assert config.stat().st_mode & 0o777 == 0o640
    assert (root / "etc/hearth").stat().st_mode & 0o777 == 0o750
    assert (root / "etc/hearth/secrets").stat().st_mode & 0o777 == 0o700
    assert key.read_text() == "" and key.stat().st_mode & 0o777 == 0o600
    mqtt_pw = root / "etc/hearth/secrets/mqtt_password"
    assert mqtt_pw.read_text() == "" and mqtt_pw.stat().st_mode & 0o777 == 0o600
    unit = root / "etc/systemd/system/hearth.service"
    assert unit.read_text() == (REPO / "deploy/hearth.service").read_text()

    # The venv holds its own copy of hearth (not this checkout's editable one), and it runs.
    # (cwd elsewhere: `python -c` puts the working directory first on sys.path.)
    where = subprocess.run([venv / "bin/python", "-c", "import agent; print(agent.__file__)"],
                           capture_output=True, text=True, check=True, timeout=60,
                           cwd=tmp_path).stdout
    assert where.startswith(str(venv)), where
    # Under --root the scripts name the target's interpreter, so run it as the module.
    checked = subprocess.run([venv / "bin/python", "-m", "agent.cli.main", "config", "check",
                              str(config)],
                             capture_output=True, text=True, timeout=60, check=False,
                             cwd=tmp_path)
    assert checked.returncode == 0 and checked.stdout.startswith("OK"), checked.stderr
    assert_scripts_name_the_target(venv)
    assert first.stdout.rstrip().endswith(
        "install.sh: done. Check the installation with: sudo /opt/hearth/venv/bin/hearth "
        "--config /etc/hearth/config.toml doctor")

    config.write_text(config.read_text() + "\n# edited by the household\n")
    edited = config.read_text()
    key.write_text("sk-ant-api03-kept-across-installs")
    before = tree(root)

    second = install(root)
    assert "kept the existing config" in second.stdout
    assert "reusing the virtual environment" in second.stdout
    assert config.read_text() == edited
    assert key.read_text() == "sk-ant-api03-kept-across-installs"
    assert tree(root) == before
    assert_scripts_name_the_target(venv)


def assert_scripts_name_the_target(venv: Path) -> None:
    """Every script in bin/ starts `#!/opt/hearth/venv/bin/python` and no file there names
    the staging directory; the python symlinks are untouched."""
    hearth = (venv / "bin/hearth").read_text()
    assert hearth.startswith("#!/opt/hearth/venv/bin/python\n"), hearth[:200]
    for path in (venv / "bin").iterdir():
        if path.is_symlink():
            continue
        data = path.read_bytes()
        assert str(venv).encode() not in data, path
    assert '"/opt/hearth/venv"' in (venv / "bin/activate").read_text()
    assert (venv / "bin/python").is_symlink()


def test_uninstall_keeps_data_unless_purged(tmp_path: Path) -> None:
    root = tmp_path / "root"
    install(root)
    ledger = root / "var/lib/hearth/ledger.db"
    ledger.parent.mkdir(parents=True)
    ledger.write_bytes(b"rows")

    kept = run_installer(root, "--uninstall")
    assert "kept the config" in kept.stdout
    assert not (root / "opt/hearth").exists()
    assert not (root / "etc/systemd/system/hearth.service").exists()
    assert (root / "etc/hearth/config.toml").exists()
    assert ledger.read_bytes() == b"rows"

    # Uninstalling again is harmless too.
    run_installer(root, "--uninstall")

    purged = run_installer(root, "--uninstall", "--purge")
    assert f"purged the config ({root}/etc/hearth) and the data ({root}/var/lib/hearth); " \
        "the service user is left alone (--root)" in purged.stdout
    assert "and the service user" not in purged.stdout
    assert not (root / "etc/hearth").exists()
    assert not (root / "var/lib/hearth").exists()


def test_bad_options_are_refused(tmp_path: Path) -> None:
    done = run_installer(tmp_path, "--purge", check=False)
    assert done.returncode != 0
    assert "--purge only goes with --uninstall" in done.stderr
    done = run_installer(tmp_path, "--frobnicate", check=False)
    assert done.returncode != 0 and "unknown option: --frobnicate" in done.stderr
    done = run_installer(tmp_path, "--python", "/nonexistent/python3", check=False)
    assert done.returncode != 0 and "not found" in done.stderr


def test_destdir_is_the_same_as_root(tmp_path: Path) -> None:
    env = {**os.environ, "DESTDIR": str(tmp_path / "staged")}
    done = subprocess.run(["bash", str(INSTALL), "--uninstall"], capture_output=True, text=True,
                          timeout=60, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert f"removed the program ({tmp_path}/staged/opt/hearth)" in done.stdout
    assert "skipping systemctl: the root is" in done.stdout
