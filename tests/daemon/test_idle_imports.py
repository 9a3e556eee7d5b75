"""An idle daemon (open, nothing due) loads no HTTP client: httpx, the Anthropic and the
ollama SDKs come in with the first feed fetch or model call, not at start."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PROBE = textwrap.dedent("""
    import asyncio
    import sys
    from pathlib import Path

    from agent.config import HearthConfig
    from agent.credentials import ApiKey
    from agent.daemon.core import open_core

    HEAVY = ("httpx", "anthropic", "ollama", "feedparser")
    state = Path(sys.argv[1])
    # Everything that could want HTTP is configured: a feed, a key, the batch digest.
    config = HearthConfig.model_validate({
        "hearth": {"state_dir": str(state)},
        "feeds": {"feeds": [{"name": "world", "url": "https://example.org/rss.xml"}]},
        "briefing": {"digest": {"enabled": True}},
    })

    async def main() -> None:
        key = ApiKey("sk-ant-api03-" + "x" * 90)
        async with open_core(config, state, bridge=None, api_key=key) as core:
            assert "digest" in core.dispatcher.skills.skills  # set up, with its batch client
            print(sorted(m for m in HEAVY if m in sys.modules))
            from agent.feeds import FeedFetcher

            await FeedFetcher(config.feeds).aclose()  # what a due feed run starts with
            print(sorted(m for m in HEAVY if m in sys.modules))

    asyncio.run(main())
""")


def test_an_idle_daemon_loads_no_http_client_until_a_fetch(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    idle, fetching = done.stdout.split("\n")[:2]
    assert idle == "[]"
    assert fetching == "['httpx']"
