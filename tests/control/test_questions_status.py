"""`hearth status` renders the daemon's questions section as one line."""

from __future__ import annotations

from agent.config.root import HearthConfig
from agent.control.questions import question_tiers
from agent.control.status import render_status


def test_status_page_has_the_questions_line() -> None:
    section = question_tiers(HearthConfig(), ollama_ok=True, key_present=True,
                             advisor_left_micros=180_000)
    page = render_status({"version": "1", "questions": section})
    assert ("questions: local ✓ qwen2.5:1.5b | dispatcher: local (cloud: off) | fast ✓ | "
            "deep ✓ (advisor budget $0.18 left today)") in page.splitlines()
    assert "questions" not in render_status({"questions": {"error": "timeout"}})
