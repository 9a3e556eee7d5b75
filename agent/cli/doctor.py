"""`hearth doctor`: check the installation; a table of checks, a fix for each failure."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `doctor`."""
    p = sub.add_parser(
        "doctor",
        help="check config, state directory, database, broker, Ollama, key, clock and disk",
        description="Check the installation without changing anything or spending money. "
                    "Prints PASS/WARN/FAIL/SKIP per check and a fix for each failure or "
                    "warning; exits 1 if any check failed.",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--timeout", type=float, default=3.0, metavar="SECONDS",
                   help="per network check (default 3)")
    p.set_defaults(func=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    import asyncio

    from agent.cli.common import config_path, print_json, print_table
    from agent.doctor import exit_code, local_only, run_checks

    results = asyncio.run(run_checks(config_path(args), timeout=args.timeout))
    if args.json:
        print_json([{"check": r.name, "result": r.status.value, "detail": r.detail,
                     "fix": r.fix or None} for r in results])
        return exit_code(results)
    print_table(["CHECK", "RESULT", "DETAIL"],
                [[r.name, r.status.value, r.detail] for r in results])
    _print_questions(args, results)
    failed = [r for r in results if r.fix]
    if failed:
        print()
        print("How to fix:")
        for r in failed:
            print(f"  {r.name}: {r.fix}")
    else:
        print()
        if local_only(results):
            print("No check failed (local-only: Claude is off).")
        elif any(r.status.value == "SKIP" for r in results):
            print("No check failed.")
        else:
            print("All checks passed.")
    return exit_code(results)


def _print_questions(args: argparse.Namespace, results: list[Any]) -> None:
    """Which tiers could answer a question now (nothing when the config is invalid)."""
    from agent.cli.common import config_path
    from agent.control.questions import questions_line, questions_warning
    from agent.doctor.questions import questions_section

    section = questions_section(config_path(args), results)
    if section is None:
        return
    print(f"\nquestions: {questions_line(section)}")
    warning = questions_warning(section)
    if warning:
        print(f"  {warning}")
