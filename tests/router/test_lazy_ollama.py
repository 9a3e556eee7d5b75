"""The Ollama SDK (and httpx under it) load at the first chat, not at start-up or the probe."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from agent.router.ollama_backend import tags_url
from tests.support.fake_ollama import FakeOllama

PROBE = textwrap.dedent("""
    import asyncio, sys
    from agent.config.models import OllamaSection
    from agent.daemon import core  # noqa: F401 - everything an idle daemon imports
    from agent.router.ollama_backend import OllamaBackend

    backend = OllamaBackend(OllamaSection(host=sys.argv[1]))
    print(asyncio.run(backend.models()))
    print(sorted(m for m in ("ollama", "httpx") if m in sys.modules))
""")


def test_the_probe_lists_models_without_the_sdk(fake_ollama: FakeOllama) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, fake_ollama.url], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["['qwen2.5:1.5b']", "[]"]


def test_hosts_are_read_as_the_sdk_reads_them() -> None:
    assert tags_url("127.0.0.1") == "http://127.0.0.1:11434/api/tags"
    assert tags_url("example.com:56789") == "http://example.com:56789/api/tags"
    assert tags_url("http://example.com") == "http://example.com/api/tags"
    assert tags_url("https://example.com:8443/ollama/") == "https://example.com:8443/ollama/api/tags"
