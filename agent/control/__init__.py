"""The control socket: how `hearth status`, `ask`, `confirm` and `pending` reach the daemon.

A Unix stream socket at ``agent.paths.runtime_dir(config) / "control.sock"`` (``/run/hearth``
under the packaged unit), mode 0600, speaking one JSON object per line (see ``protocol``).
The daemon owns a ``ControlServer`` with one async handler per command; the CLI uses
``call``, which raises ``DaemonNotRunning`` when no daemon listens.

Commands and their replies:

``status`` (args: none) returns a ``StatusReply`` (``agent.control.status``)::

    version          str     hearth version
    pid              int     the daemon's process id
    state            str     "starting" | "running" | "stopping"
    started_at       str     ISO-8601, when the daemon started
    uptime_seconds   float
    broker           {connected: bool, host: str, port: int, since: str|None,
                      last_error: str|None}
    ollama           {reachable: bool|None (None: not probed yet), host: str,
                      last_error: str|None}
    queues           {name: {depth: int, capacity: int|None, dropped: int}}
                     e.g. "mqtt_inbound", "dispatch"
    skills           {name: {tier: str, runs: int, errors: int, last_run: str|None,
                             last_ok: bool|None, last_error: str|None}}
    spend            {today_usd: str, daily_cap_usd: str|None, daily_left_usd: str|None,
                      month_usd: str, monthly_cap_usd: str|None, monthly_left_usd: str|None}
                     (decimal strings in USD; None caps mean uncapped)

Any section may instead be ``{"error": "..."}`` when its source failed. The daemon builds the
reply with ``collect_status(header, runtime.status_sources)``: one source per section above.

``ask`` (args: ``{"text": str, "dry_run": bool}``) runs one request through the daemon's
dispatcher (``agent.control.ask``); the reply is what `hearth ask --json` prints: route,
status, skill, text, data, actions (each with status and, for a held one, ``pending_id``),
tier, latency_ms. It may take up to ``ASK_TIMEOUT`` seconds (a model call).

``confirm`` (args: ``{"nonce": ID}``) approves a pending sensitive action: ``{"ok": true,
"reply", "code", "device", "topic"}`` or ``{"ok": false, "error"}`` (unknown, used or
expired). ``cancel`` (args: ``{"id": ID}``) refuses one. ``pending`` (args: ``{"history":
bool, "limit": int}``) lists ``pending`` (id, code, device, name, desired, topic, payload,
requested_by, expires_in) and, with history, ``history`` (at, kind, code, path, device,
topic, payload, detail, requested_by; oldest first). This socket is the only path that sees
full action ids and, by default, the only one that may approve (see ``agent.devices.service``).
"""

from agent.control.client import call, find_socket, socket_path
from agent.control.server import ControlServer, Handler
from agent.control.status import StatusReply, StatusSource, collect_status, render_status
from agent.errors import ControlError, DaemonNotRunning

__all__ = [
    "ControlError",
    "ControlServer",
    "DaemonNotRunning",
    "Handler",
    "StatusReply",
    "StatusSource",
    "call",
    "collect_status",
    "find_socket",
    "render_status",
    "socket_path",
]
