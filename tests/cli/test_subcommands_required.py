"""A command group without its subcommand is a usage error (exit 2, usage on stderr),
like bare `hearth`."""

from __future__ import annotations

import pytest

from agent.cli.main import main


@pytest.mark.parametrize("group", ["schedule", "briefing", "config", "skills"])
def test_bare_group_is_a_usage_error(group: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([group])
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"usage: hearth {group} ")
    assert f"hearth {group}: error: " in err
