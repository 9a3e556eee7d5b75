"""Every command's help text and the exit-status table: one source for `--help` and the README.

`COMMANDS` maps each command path ("skills list") to its summary, a one-paragraph description
and one example; `apply_help` writes them onto the registered parsers, so a command module's
`register()` only declares arguments. `EXIT_STATUSES` is the table `hearth --help` prints and
the README repeats (a test holds the two equal).
"""

from __future__ import annotations

import argparse
import textwrap
from dataclasses import dataclass

from agent.errors import (
    EX_CANTCREAT,
    EX_CONFIG,
    EX_IOERR,
    EX_SOFTWARE,
    EX_TEMPFAIL,
    EX_UNAVAILABLE,
)

# Help text is wrapped here, once, so RawDescriptionHelpFormatter keeps examples verbatim.
WIDTH = 78

EX_OK = 0
EX_NO = 1
EX_USAGE = 2
EX_INTERRUPTED = 130

# (status, meaning): in the order a reader looks them up.
EXIT_STATUSES: tuple[tuple[int, str], ...] = (
    (EX_OK, "done"),
    (EX_NO, "done, and the answer is no: a doctor check failed, a confirmation was refused "
            "or its id is unknown, a skill refused or failed, no such skill"),
    (EX_USAGE, "usage: a bad or missing argument or command"),
    (EX_UNAVAILABLE, "unavailable: no daemon running, no model could answer, a spending cap "
                     "reached, the broker unreachable where it is needed"),
    (EX_SOFTWARE, "internal error or broken installation"),
    (EX_CANTCREAT, "cannot create: the state directory, lock or database cannot be created "
                   "or written (read-only, no permission)"),
    (EX_IOERR, "I/O error: the disk is full or failing"),
    (EX_TEMPFAIL, "try again: another hearth holds the state directory"),
    (EX_CONFIG, "configuration: invalid config or a refused credential"),
    (EX_INTERRUPTED, "interrupted (Ctrl-C)"),
)


@dataclass(frozen=True, slots=True)
class Help:
    """One command's words: `summary` for the command list, `description` for its own
    `--help`, and `example`, a full command line that the parser accepts."""

    summary: str
    description: str
    example: str


COMMANDS: dict[str, Help] = {
    "run": Help(
        "run the daemon in the foreground (what systemd runs)",
        "Run the daemon in the foreground until Ctrl-C or SIGTERM: it connects to the MQTT "
        "broker, discovers devices, answers requests on <prefix>/ask and the control socket, "
        "and runs the schedule. Logs go to stderr (the journal under systemd). It refuses to "
        "start, with one line and a status from the table in `hearth --help`, when the config "
        "is invalid, the state directory cannot be written, or another hearth holds it.",
        "hearth --config config.example.toml run"),
    "config": Help(
        "check the configuration",
        "Check a configuration file the way `hearth run` would, without starting anything.",
        "hearth config check /etc/hearth/config.toml"),
    "config check": Help(
        "validate a config file: prints OK or every problem",
        "Validate a config file exactly as `hearth run` does (skills and credentials "
        "included) and print OK, or every problem with its dotted key. Exits 78 when the "
        "file is invalid; --json prints {ok, path, problems: [{key, message}]}.",
        "hearth config check --json /etc/hearth/config.toml"),
    "ask": Help(
        "ask one question or give one command",
        "Send one request through the dispatcher and the model router: inside the running "
        "daemon (its discovered devices and pending actions) when there is one, else "
        "in-process on the configured devices. Device commands to locks, garage doors and "
        "alarms wait for `hearth confirm`. Exits 69 when no model could answer or a device "
        "command was not sent.",
        'hearth ask "turn off the kitchen light"'),
    "skills": Help(
        "list installed skills and what they may do",
        "Show the installed skills: built-in and third-party, enabled or not.",
        "hearth skills list"),
    "skills list": Help(
        "every skill: state, tier, triggers, tools, month's spend",
        "List every installed skill with its state, model tier, triggers, granted tools and "
        "this month's spend. Skills that failed to load are listed with the reason.",
        "hearth skills list --json"),
    "skills show": Help(
        "one skill in full: triggers, tools, config, spend",
        "Show one skill in full: where it comes from, its triggers and intents, the tools "
        "it was granted, its effective config and router settings, and its spend. Exits 1 "
        "when there is no such skill.",
        "hearth skills show home"),
    "spend": Help(
        "show spend: today, this month, by skill, tier and model",
        "Show what the models cost, from the spend ledger: today and this month, by skill, "
        "tier and model, with the cache hit ratio and what the deep tier would have cost. "
        "--calls lists single calls; --csv and --json are for scripts.",
        "hearth spend --json"),
    "budget": Help(
        "show each spending cap: used, reserved, left",
        "Show each spending cap (daily, monthly, per skill) with what is used, reserved by "
        "calls in flight, and left. A cap that is reached makes paid calls fail with 69.",
        "hearth budget --json"),
    "confirm": Help(
        "approve a pending action on a lock, garage door or alarm",
        "Approve (or with --cancel refuse) a pending sensitive action by the id hearth gave; "
        "`hearth pending` lists them. Goes only through the running daemon's control socket: "
        "exits 69 when no daemon runs, 1 when the id is unknown or expired.",
        "hearth confirm k7m2q-a9xrt-3hbnw-pe4cz"),
    "pending": Help(
        "list sensitive actions waiting for confirmation",
        "List the running daemon's pending sensitive actions with their full ids; with "
        "--history, also every earlier request, approval, refusal and expiry, when and "
        "through which path. Exits 69 when no daemon runs.",
        "hearth pending --history --json"),
    "schedule": Help(
        "scheduled jobs",
        "Show the scheduled jobs (the morning briefing and skills' own jobs).",
        "hearth schedule list"),
    "schedule list": Help(
        "show each job's next run and last run",
        "List each scheduled job with its next run and how its last run went (ok, error or "
        "missed, with the reason), in the configured time zone.",
        "hearth schedule list --json"),
    "briefing": Help(
        "the morning briefing",
        "The morning briefing on demand.",
        "hearth briefing now"),
    "briefing now": Help(
        "compose the briefing now and deliver it",
        "Compose the morning briefing now and deliver it as the schedule would: it is "
        "published on MQTT (<prefix>/briefing, unless --no-mqtt), handed to the configured "
        "notifiers, and printed here. With --dry-run it is only composed and printed: "
        "nothing is published, written or sent.",
        "hearth briefing now --dry-run"),
    "list": Help(
        "the household's lists (shopping list and others)",
        "The lists the lists skill keeps: items added by voice or text (\"add milk to the "
        "shopping list\") and checked off the same way.",
        "hearth list show shopping"),
    "list show": Help(
        "print the items on one list or on every list",
        "Print the open items on the named list (\"shopping\" or \"shopping list\"), or on "
        "every list; --all adds the items already checked off, --json prints {lists: [{name, "
        "items: [{id, list, item, done, added_at, done_at}]}]}. Reads the database in this "
        "process, so it works with or without a running daemon.",
        "hearth list show --all --json"),
    "doctor": Help(
        "check config, state directory, database, broker, Ollama, key, clock and disk",
        "Check the installation without changing anything or spending money. Prints "
        "PASS/WARN/FAIL/SKIP per check and a fix for each failure or warning; exits 1 if any "
        "check failed. A local-only set-up (no API key, no skill that needs Claude) passes. "
        "For the installed service give its config: the state is then /var/lib/hearth.",
        "sudo /opt/hearth/venv/bin/hearth --config /etc/hearth/config.toml doctor"),
    "learn": Help(
        "phrasings the model resolved, to answer at tier 0",
        "When a device command needed the local model (no template matched), hearth records "
        "the words and the action it resolved to. Accepted phrasings run with no model call.",
        "hearth learn list"),
    "learn list": Help(
        "candidates with how often each was seen",
        "List the phrasings the model resolved to a device command: id, words, action, count, "
        "whether it is sensitive, status. --all adds accepted and rejected ones; --json is "
        "for scripts.",
        "hearth learn list --json"),
    "learn accept": Help(
        "answer a phrasing at tier 0 from now on",
        "Accept a phrasing by its id: the same words (case, punctuation and a leading or "
        "trailing 'please' aside) run the recorded action with no model call. Sensitive "
        "devices still wait for `hearth confirm`. Exits 1 when the id is unknown.",
        "hearth learn accept 3"),
    "learn reject": Help(
        "never accept a phrasing",
        "Reject a phrasing by its id: it is no longer answered at tier 0 and is never "
        "accepted automatically ([learn] auto_accept_after). Exits 1 when the id is unknown.",
        "hearth learn reject 3"),
    "status": Help(
        "live state of the running daemon",
        "Show the running daemon's live state: since when it runs, the broker and model "
        "connections, devices, pending actions and today's spend. Exits 69 when no daemon "
        "runs.",
        "hearth status --json"),
    "privacy": Help(
        "what household data left the house",
        "Show what reached cloud models: every call's skill, data scopes and bytes.",
        "hearth privacy report"),
    "privacy report": Help(
        "cloud calls by skill and data scope, with bytes",
        "List the cloud calls in a range of days (default: this month, household time zone) "
        "by skill and data scope (utterance, devices, states, history, news, lists, spend, "
        "conversation) with call counts and request bytes, the calls refused because of "
        "their scopes, and how many calls stayed local. Scopes are allowed in [privacy] "
        "cloud_scopes; --json is for scripts.",
        "hearth privacy report --since 2026-12-01 --json"),
    "notify": Help(
        "push notifications",
        "Push notifications to phones through Apprise URLs ([[notify]] in the config; "
        "docs/notifications.md).",
        "hearth notify test"),
    "notify test": Help(
        "send a test message to each notification service",
        "Send a test message now to every [[notify]] entry (or only NAME), quiet hours or "
        "not, and print one line per entry: ok, or failed with the reason (never the URL or "
        "its secrets). Works without a running daemon. Exits 1 when any entry failed, none "
        "is configured or NAME is unknown.",
        "hearth notify test phone --json"),
}


def exit_status_lines() -> list[str]:
    """The exit-status table as `hearth --help` prints it, one status a line."""
    lines: list[str] = []
    for code, meaning in EXIT_STATUSES:
        lines.extend(textwrap.wrap(meaning, WIDTH, initial_indent=f"  {code:>3}  ",
                                   subsequent_indent=" " * 7))
    return lines


def exit_status_markdown() -> str:
    """The exit-status table as the README carries it."""
    rows = [f"| {code} | {meaning} |" for code, meaning in EXIT_STATUSES]
    return "\n".join(["| status | meaning |", "| --- | --- |", *rows])


def top_epilog() -> str:
    """`hearth --help`'s closing text: an example and the exit statuses."""
    return "\n".join([
        "example:",
        '  hearth --config config.example.toml ask "turn off the kitchen light"',
        "",
        "exit statuses:",
        *exit_status_lines(),
    ])


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """`parser`'s direct subcommands by name (aliases excluded)."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:  # argparse offers no public walk
        if isinstance(action, argparse._SubParsersAction):
            names = {choice.dest for choice in action._choices_actions}
            for name, sub in action.choices.items():
                if name in names:
                    found[name] = sub
    return found


def walk(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    """Every (sub)command parser below `parser`, by command path ("skills list")."""
    found: dict[str, argparse.ArgumentParser] = {}
    for name, sub in subcommands(parser).items():
        path = f"{prefix} {name}".strip()
        found[path] = sub
        found.update(walk(sub, path))
    return found


def apply_help(parser: argparse.ArgumentParser) -> None:
    """Write `COMMANDS` onto every registered (sub)command parser, after registration.

    Each parser also gets itself as the `_usage_parser` default, so leftover arguments are
    reported with the usage of the command they were given to (the deepest default wins).
    """
    parser.epilog = top_epilog()
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.set_defaults(_usage_parser=parser)
    for path, sub in walk(parser).items():
        sub.set_defaults(_usage_parser=sub)
        words = COMMANDS.get(path)
        if words is None:
            # tests/cli/test_help_exits.py fails on this; the command still works meanwhile.
            continue
        sub.description = textwrap.fill(words.description, WIDTH)
        sub.epilog = f"example:\n  {words.example}"
        sub.formatter_class = argparse.RawDescriptionHelpFormatter
    _set_summaries(parser)


def _set_summaries(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    for action in parser._actions:  # argparse offers no public walk
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                path = f"{prefix} {choice.dest}".strip()
                if path in COMMANDS:
                    choice.help = COMMANDS[path].summary
                _set_summaries(action.choices[choice.dest], path)


__all__ = ["COMMANDS", "EXIT_STATUSES", "Help", "apply_help", "exit_status_lines",
                      "exit_status_markdown", "top_epilog", "walk"]
