"""A skill shipped as its own distribution is discovered through its entry point and runs.

The test builds a wheel of tests/plugins/thirdparty_dist/, installs it into a fresh virtual
environment that sees hearth and its dependencies, and runs a script there that discovers
the skill and dispatches to it through the real dispatcher, router and ledger.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from agent.config import HearthConfig
from agent.plugins import discover

DIST = Path(__file__).parent / "thirdparty_dist"

SCRIPT = """
import asyncio, json, sys
from pathlib import Path

from agent.config import HearthConfig
from agent.daemon.core import open_core


async def main(state: Path) -> None:
    # The built-ins need tools the daemon registers; this script runs only the new skill.
    off = {name: {"enabled": False}
           for name in ("home", "news", "briefing", "digest", "timers", "lists", "assistant",
                        "advisor")}
    config = HearthConfig.model_validate({"hearth": {"state_dir": str(state)}, "skills": off})
    async with open_core(config, state, bridge=None, api_key=None) as core:
        dispatcher = core.dispatcher
        skills = dispatcher.skills
        by_text = await dispatcher.handle_text("ring the bell")
        by_action = await dispatcher.handle_action("chime", "ring", {"times": 3})
        by_topic = await dispatcher.handle_mqtt("chime/ring", b"xx")
    print(json.dumps({
        "enabled": skills.names(),
        "source": skills.skills["chime"].source,
        "text": by_text.to_dict(),
        "action": by_action.to_dict(),
        "topic": [r.to_dict() for r in by_topic],
    }))


asyncio.run(main(Path(sys.argv[1])))
"""


def _build_wheel(src: Path, out: Path) -> Path:
    if importlib.util.find_spec("wheel") is not None:
        # Offline: the running environment's setuptools and wheel build it.
        cmd = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out),
               str(src)]
    else:
        # setuptools here predates its built-in bdist_wheel; pip fetches a newer one.
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
               str(src)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)
    if done.returncode != 0:
        offline = ("Could not find a version", "NewConnectionError", "Network is unreachable")
        if cmd[2] == "pip" and any(sign in done.stderr for sign in offline):
            pytest.skip("no `wheel` in this venv and no package index to fetch setuptools from")
        pytest.fail(f"wheel build failed:\n{done.stdout}\n{done.stderr}")
    wheels = list(out.glob("hearth_chime-1.0.0-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _venv(where: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    str(where)], check=True, timeout=60)
    python = where / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, timeout=30).stdout.strip()
    # --system-site-packages reaches the base interpreter's packages, not this venv's;
    # addsitedir also runs this venv's .pth files, so the editable hearth install is seen.
    ours = [p for p in site.getsitepackages() if p.startswith(sys.prefix)]
    lines = "".join(f"import site; site.addsitedir({p!r})\n" for p in ours)
    (Path(purelib) / "hearth_parent_env.pth").write_text(lines, encoding="utf-8")
    return python


@pytest.mark.slow
def test_separately_installed_skill_is_discovered_and_runs(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(DIST, src)  # build out of tree: no build/ or egg-info left in the repo
    wheel = _build_wheel(src, tmp_path / "dist")
    python = _venv(tmp_path / "venv")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    str(wheel)], check=True, timeout=90)
    script = tmp_path / "run_chime.py"
    script.write_text(SCRIPT, encoding="utf-8")
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    done = subprocess.run([str(python), str(script), str(state)], capture_output=True, text=True,
                          timeout=90, check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["enabled"] == ["chime"]
    assert out["source"] == "chime = hearth_chime:skill (hearth-chime 1.0.0)"
    assert (out["text"]["route"], out["text"]["status"], out["text"]["text"]) == (
        "intent", "ok", "ding")
    assert out["text"]["intent"] == "ChimeRing"
    assert len(out["text"]["ledger_ids"]) == 1  # the tier-none row
    assert out["action"]["text"] == "ding ding ding"
    assert [r["text"] for r in out["topic"]] == ["ding ding"]
    # The wheel went into the temporary environment only.
    assert "chime" not in discover(HearthConfig()).names()
