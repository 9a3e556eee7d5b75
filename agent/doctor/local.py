"""Checks of this machine: state directory, database, Anthropic key, clock, free disk."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import stat
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from agent.config.base import SecretRef
from agent.doctor.result import CheckResult, DoctorContext
from agent.errors import CredentialRefused, SecretFileExposed
from agent.logs import redact
from agent.paths import state_dir

LOCAL_ONLY = "no API key: local-only set-up (no enabled skill needs Claude)"

# The installed unit hands the key over from here (LoadCredential=); only while it runs
# does /run/credentials/hearth.service/ exist, so the doctor looks at the source file.
UNIT_CREDENTIALS = Path("/run/credentials/hearth.service")
CREDENTIAL_SOURCES = Path("/etc/hearth/secrets")


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_state_dir(ctx: DoctorContext) -> CheckResult:
    """The state directory exists (or can be created), is writable, and is private."""
    name = "state directory"
    path = state_dir(ctx.config, ctx.environ)
    fix_path = f"set hearth.state_dir in the config, or run: sudo install -d -m 700 -o " \
               f"$(id -un) {path}"
    if not path.exists():
        ancestor = _nearest_existing(path.parent)
        if ancestor.is_dir() and os.access(ancestor, os.W_OK | os.X_OK):
            return CheckResult.ok(name, f"{path} does not exist yet; hearth will create it")
        return CheckResult.fail(name, f"{path} does not exist and {ancestor} is not writable",
                                fix_path)
    if not path.is_dir():
        return CheckResult.fail(name, f"{path} is not a directory", fix_path)
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as exc:
        return CheckResult.fail(name, f"{path} is not writable: {exc.strerror}", fix_path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return CheckResult.fail(
            name, f"{path} is mode {mode:o}: others can read the ledger",
            f"chmod 700 {path}")
    return CheckResult.ok(name, f"{path} (mode {mode:o}, writable)")


def check_database(ctx: DoctorContext) -> CheckResult:
    """The ledger database opens and its schema is one this hearth can migrate. Read-only:
    the daemon applies migrations itself at start, as its own user."""
    from agent.db import DB_FILENAME, migrate

    name = "database"
    head = migrate.head_revision()
    url = ctx.config.ledger.url
    if url is None:
        path = state_dir(ctx.config, ctx.environ) / DB_FILENAME
        if not path.exists():
            return CheckResult.ok(name, f"no {path} yet; hearth creates it at schema {head}")
        current = _sqlite_revision(path)
        where = str(path)
    else:
        current, where = _url_revision(url)
    if isinstance(current, Exception):
        return CheckResult.fail(
            name, f"cannot read {where}: {type(current).__name__}: "
                  f"{redact(str(current).splitlines()[0] if str(current) else '')[:160]}",
            "check ledger.url and that the database is up" if url else
            f"restore {where} from a backup, or move it aside to start a new ledger")
    if current == head:
        return CheckResult.ok(name, f"{where} at schema {head} (current)")
    known = _known_revisions()
    if current is None or current in known:
        return CheckResult.ok(
            name, f"{where} at schema {current or 'empty'}; hearth upgrades it to {head} "
                  "at start, keeping every row")
    return CheckResult.fail(
        name, f"{where} is at schema {current}, which this hearth does not know "
              "(written by a newer version?)",
        "install the newer hearth version again; never downgrade over a ledger")


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from agent.db import migrate

    script = ScriptDirectory.from_config(migrate.alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def _sqlite_revision(path: Path) -> str | Exception | None:
    import sqlite3

    try:
        # mode=ro: the doctor (often root) must not create or change the daemon's file.
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                return None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            return str(row[0]) if row else None
    except sqlite3.Error as exc:
        return exc


def _url_revision(url: str) -> tuple[str | Exception | None, str]:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from agent.db.revision import recorded_revision

    try:
        parsed = make_url(url)
        where = parsed.render_as_string(hide_password=True)
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            return ValueError(f"unsupported database {parsed.get_backend_name()!r} "
                              "(use sqlite or postgresql+psycopg)"), where
        engine = create_engine(parsed, connect_args={"connect_timeout": 3}
                               if parsed.get_backend_name() == "postgresql" else {})
    except (SQLAlchemyError, ValueError, ImportError) as exc:
        return exc, "ledger.url"
    try:
        with engine.connect() as conn:
            return recorded_revision(conn), where
    except SQLAlchemyError as exc:
        return exc, where
    finally:
        engine.dispose()


def _uses(ctx: DoctorContext, backend: str) -> list[str]:
    return sorted({t.model for t in ctx.config.tiers.values() if t.backend == backend})


def unit_secret(ref: SecretRef) -> SecretRef:
    """`ref`, or, for a credential of the unit read outside it, the file systemd loads it from."""
    if ref.file is not None and ref.file.parent == UNIT_CREDENTIALS and not ref.file.exists():
        return SecretRef(file=CREDENTIAL_SOURCES / ref.file.name)
    return ref


def check_anthropic_key(ctx: DoctorContext) -> CheckResult:
    """A Console API key (sk-ant-api...) is configured. No request is made."""
    from agent.credentials import KEYS_URL, check_environment, check_key

    name = "anthropic key"
    models = _uses(ctx, "anthropic")
    if not models:
        return CheckResult.skip(name, "no tier uses Claude")
    ref = unit_secret(ctx.config.anthropic.api_key)
    try:
        check_environment(ctx.environ)
        raw = ref.resolve(dict(ctx.environ))
        if raw is None and ctx.cloud_skills == ():
            # A deliberate choice, not a fault: nothing enabled would call Claude.
            return CheckResult.ok(name, LOCAL_ONLY)
        if raw is None:
            names = ctx.cloud_skills or ()
            verb = "needs" if len(names) == 1 else "need"
            needs = f"; {', '.join(names)} {verb} Claude" if names else ""
            return CheckResult.fail(
                name, f"no API key in {ref.describe()}: the cloud tiers are off{needs}",
                f"create a Console API key (sk-ant-api...) at {KEYS_URL} and put it in "
                f"{_where_to_put(ref)}" + (", or move those skills to the local tier "
                                           "([router.skills.NAME] tier = \"local\")"
                                           if ctx.cloud_skills else ""))
        key = check_key(raw, allow_unrecognised_prefix=(
            ctx.config.anthropic.allow_unrecognised_key_prefix))
    except SecretFileExposed as exc:
        # The key may be fine; only who can read it is wrong.
        return CheckResult.fail(name, f"{exc.path} is readable by group or others",
                                f"chmod 600 {exc.path}")
    except CredentialRefused as exc:
        return CheckResult.fail(name, str(exc).split(". ")[0],
                                f"use a Console API key (sk-ant-api...) from {KEYS_URL}")
    return CheckResult.ok(name, f"Console API key {key} from {ref.describe()} "
                                "(format checked; no request made)")


def _where_to_put(ref: SecretRef) -> str:
    if ref.env is not None:
        return f"${ref.env} (or, for the service, {CREDENTIAL_SOURCES}/anthropic_api_key, " \
               "root-owned, mode 600, with anthropic.api_key = { file = \"" \
               f"{UNIT_CREDENTIALS}/anthropic_api_key\" }})"
    return f"{ref.file} (mode 600)"


async def check_clock(ctx: DoctorContext) -> CheckResult:
    """The clock is NTP-synchronised where timedatectl can tell, else plausibly set."""
    name = "clock"
    now = datetime.now(UTC)
    fix = "enable time sync: sudo timedatectl set-ntp true (systemd-timesyncd or chrony)"
    # timedatectl asks systemd over D-Bus: without systemd its error text helps nobody.
    no_systemd = not ctx.systemd_dir.is_dir()
    why_not = "no systemd here: sync not checked" if no_systemd else "no timedatectl"
    if ctx.clock_command and shutil.which(ctx.clock_command[0]):
        try:
            # A subprocess with a timeout, off the loop: timedatectl talks to D-Bus.
            done = await asyncio.to_thread(
                subprocess.run, list(ctx.clock_command), capture_output=True, text=True,
                timeout=ctx.timeout, check=False)
            answer = done.stdout.strip().lower()
        except (OSError, subprocess.TimeoutExpired) as exc:
            answer, done = "", None
            if not no_systemd:
                why_not = "timedatectl could not tell" if isinstance(exc, OSError) \
                    else "timedatectl did not answer in time"
        if answer == "yes":
            return CheckResult.ok(name, f"NTP-synchronised ({now:%Y-%m-%d %H:%M} UTC)")
        if answer == "no":
            return CheckResult.fail(name, f"not NTP-synchronised (reads {now:%Y-%m-%d %H:%M} "
                                          "UTC): daily budgets and schedules may be off", fix)
        if done is not None and not no_systemd:
            why_not = "timedatectl could not tell"
    if 2024 <= now.year < 2100:
        return CheckResult.ok(name, f"reads {now:%Y-%m-%d %H:%M} UTC, a plausible date "
                                    f"(synchronisation unknown: {why_not})")
    return CheckResult.fail(name, f"reads {now:%Y-%m-%d} UTC, which cannot be right", fix)


def check_disk(ctx: DoctorContext) -> CheckResult:
    """Enough free space where the ledger lives."""
    name = "free disk"
    where = _nearest_existing(state_dir(ctx.config, ctx.environ))
    usage = shutil.disk_usage(where)
    free_mb = usage.free // (1024 * 1024)
    detail = f"{free_mb} MiB free of {usage.total // (1024 * 1024)} MiB at {where}"
    if usage.free < ctx.min_free_bytes:
        return CheckResult.fail(
            name, detail + f" (needs {ctx.min_free_bytes // (1024 * 1024)} MiB)",
            "free some space (sudo journalctl --vacuum-size=100M; sudo apt-get clean)")
    return CheckResult.ok(name, detail)
