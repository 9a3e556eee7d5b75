"""`hearth learn list|accept|reject`: phrasings the model had to resolve, made tier 0.

When no template matched a device command and the local model chose the home skill, which
then carried it out, hearth records the words and the action. `list` shows the candidates
with how often each was seen; `accept ID` makes the same words run with no model call from
the next request on (any running daemon reads the database every time); `reject ID` keeps a
phrasing from ever being accepted by `[learn] auto_accept_after`. Exporting accepted
phrasings into the config's custom sentences is planned once those exist.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.learn import Learned, LearnStore


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `learn` with `list`, `accept` and `reject`."""
    p = sub.add_parser("learn", help="phrasings the model resolved, to answer at tier 0")
    actions = p.add_subparsers(dest="learn_command", metavar="COMMAND", required=True)
    show = actions.add_parser("list", help="candidates with their counts")
    show.add_argument("--all", action="store_true", help="accepted and rejected ones too")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(func=_list)
    for name, status in (("accept", "accepted"), ("reject", "rejected")):
        act = actions.add_parser(name, help=f"{name} one phrasing by its id")
        act.add_argument("id", type=int, help="the id `hearth learn list` shows")
        act.add_argument("--json", action="store_true", help="print one JSON object")
        act.set_defaults(func=_set_status, status=status)


def _store(args: argparse.Namespace) -> tuple[LearnStore, Any]:
    from agent.cli.common import load
    from agent.db import Database
    from agent.learn import LearnStore
    from agent.paths import state_dir

    config = load(args)
    db = Database.open(config.ledger.url, state_dir(config))
    return LearnStore(db), db


def _list(args: argparse.Namespace) -> int:
    from agent.cli.common import print_json, print_table

    store, db = _store(args)
    try:
        rows = store.list_sync(include_all=args.all)
    finally:
        db.close()
    if args.json:
        print_json({"learned": [r.to_dict() for r in rows]})
        return 0
    if not rows:
        print("nothing learnt yet" if args.all else "no candidates (--all shows accepted ones)")
        return 0
    print_table(["id", "phrase", "resolves to", "count", "sensitive", "status"],
                [[str(r.id), r.phrase, _action(r), str(r.count),
                  "yes" if r.sensitive else "no", r.status] for r in rows])
    if not args.all:
        print("accept with: hearth learn accept ID   (never: hearth learn reject ID)")
    return 0


def _set_status(args: argparse.Namespace) -> int:
    import getpass

    from agent.cli.common import print_json
    from agent.learn import UnknownLearned

    store, db = _store(args)
    try:
        row = store.set_status_sync(args.id, args.status, by=getpass.getuser()[:64])
    except UnknownLearned:
        print(f"hearth: no learnt phrasing has id {args.id} (see `hearth learn list --all`)",
              file=sys.stderr)
        return 1
    finally:
        db.close()
    if args.json:
        print_json(row.to_dict())
    elif row.status == "accepted":
        print(f"accepted: {row.phrase!r} -> {_action(row)}, with no model call from now on")
    else:
        print(f"rejected: {row.phrase!r} (never accepted automatically)")
    return 0


def _action(row: Learned) -> str:
    args = " ".join(f"{k}={v}" for k, v in sorted(row.arguments.items()))
    return f"{row.skill} {args}".strip()
