#!/usr/bin/env bash
# Install, upgrade or remove hearth as a systemd service (Debian, Raspberry Pi OS; arm64, amd64).
#
#   sudo deploy/install.sh                 install or upgrade, enable and start the service
#   sudo deploy/install.sh --uninstall     remove the program and the unit; keep config and data
#   sudo deploy/install.sh --uninstall --purge   also remove config, data and the service user
#                                          (the user only on the live system, not with --root)
#
# Running it again is safe: the virtual environment is reused, the package upgraded, the unit
# refreshed, and an existing /etc/hearth/config.toml or API key file is never touched.
#
# --root DIR (or DESTDIR=DIR) installs under DIR instead of /, as a package build or a test
# does; the service user and systemctl are then skipped, with a message saying so.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: install.sh [--root DIR] [--python PY] [--no-start] [--uninstall [--purge]]
                  [--system-site-packages] [--no-deps] [--dev-site-packages DIR]

  --root DIR             install under DIR instead of / (also: DESTDIR=DIR)
  --python PY            interpreter for the virtual environment (default: python3, >= 3.11)
  --no-start             install and enable, but do not (re)start the service
  --uninstall            remove the program and the unit; keep /etc/hearth and /var/lib/hearth
  --purge                with --uninstall: also remove config, data and the service user
  --system-site-packages let the venv see the interpreter's packages (python3 -m venv option)
  --no-deps              install hearth alone, not its dependencies (pip --no-deps)
  --dev-site-packages DIR  development and tests only: make DIR's packages importable in the
                         venv (pip included) and install hearth alone: seconds, not minutes
EOF
}

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=${DESTDIR:-/}
PYTHON=python3
START=1
UNINSTALL=0
PURGE=0
VENV_ARGS=()
PIP_ARGS=()
DEV_SITE=""
SERVICE_USER=hearth
STAGE=""
trap 'if [ -n "$STAGE" ]; then rm -rf "$STAGE"; fi' EXIT

while [ $# -gt 0 ]; do
    case "$1" in
        --root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT=$2; shift 2 ;;
        --root=*) ROOT=${1#--root=}; shift ;;
        --python) [ $# -ge 2 ] || die "--python needs an interpreter"; PYTHON=$2; shift 2 ;;
        --no-start) START=0; shift ;;
        --uninstall) UNINSTALL=1; shift ;;
        --purge) PURGE=1; shift ;;
        --system-site-packages) VENV_ARGS+=(--system-site-packages); shift ;;
        --no-deps) PIP_ARGS+=(--no-deps); shift ;;
        --dev-site-packages) [ $# -ge 2 ] || die "--dev-site-packages needs a directory"
            DEV_SITE=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done
[ "$PURGE" = 0 ] || [ "$UNINSTALL" = 1 ] || die "--purge only goes with --uninstall"

mkdir -p "$ROOT"
ROOT=$(cd "$ROOT" && pwd)
# Paths below are "$R/etc/...": R is empty for the live system, so messages show real paths.
if [ "$ROOT" = / ]; then R=""; else R=$ROOT; fi
LIVE=0
if [ -z "$R" ]; then LIVE=1; fi

OPT=$R/opt/hearth
VENV=$OPT/venv
# Where the venv lives on the target machine: scripts must name this interpreter, not the
# staging copy under --root, or they cannot run once the tree is in place.
TARGET_VENV=/opt/hearth/venv
ETC=$R/etc/hearth
SECRETS=$ETC/secrets
UNIT_DIR=$R/etc/systemd/system
UNIT=$UNIT_DIR/hearth.service
STATE=$R/var/lib/hearth

if [ "$LIVE" = 1 ] && [ "$(id -u)" != 0 ]; then
    die "installing into / needs root: run it with sudo (or give --root DIR)"
fi

# systemctl works only on the live system, and only when systemd is PID 1.
systemd_reason=""
if [ "$LIVE" = 0 ]; then
    systemd_reason="the root is $ROOT, not /"
elif ! command -v systemctl >/dev/null 2>&1; then
    systemd_reason="systemctl is not installed"
elif [ ! -d /run/systemd/system ]; then
    systemd_reason="systemd is not running on this machine (a container?)"
fi

ctl() {
    if [ -n "$systemd_reason" ]; then
        return 0
    fi
    systemctl "$@"
}

uninstall() {
    if [ -n "$systemd_reason" ]; then
        say "skipping systemctl: $systemd_reason"
    elif [ -f "$UNIT" ]; then
        ctl disable --now hearth.service || say "warning: could not stop hearth.service"
    fi
    rm -f "$UNIT"
    ctl daemon-reload
    rm -rf "$OPT"
    say "removed the program ($OPT) and the unit ($UNIT)"
    if [ "$PURGE" = 0 ]; then
        say "kept the config ($ETC) and the data ($STATE); --uninstall --purge removes them"
        return
    fi
    rm -rf "$ETC" "$STATE" "$R/var/lib/private/hearth"
    if [ "$LIVE" = 0 ]; then
        say "purged the config ($ETC) and the data ($STATE);" \
            "the service user is left alone (--root)"
        return
    fi
    if id "$SERVICE_USER" >/dev/null 2>&1; then
        if userdel "$SERVICE_USER"; then
            say "purged the config ($ETC), the data ($STATE) and the service user"
            return
        fi
        say "warning: could not remove the user $SERVICE_USER"
    fi
    say "purged the config ($ETC) and the data ($STATE)"
}

check_python() {
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; install python3 (>= 3.11)"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "hearth needs Python >= 3.11; $PYTHON is $("$PYTHON" -V 2>&1)"
    if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        if [ "$LIVE" = 1 ] && command -v apt-get >/dev/null 2>&1; then
            say "python3-venv is missing; installing it"
            apt-get update -q && apt-get install -y -q python3-venv
        else
            die "$PYTHON cannot create virtual environments; install python3-venv"
        fi
    fi
}

ensure_user() {
    if [ "$LIVE" = 0 ]; then
        say "skipping the service user: the root is $ROOT, not /"
        return
    fi
    if id "$SERVICE_USER" >/dev/null 2>&1; then
        return
    fi
    useradd --system --user-group --home-dir /var/lib/hearth --no-create-home \
        --shell /usr/sbin/nologin --comment "hearth home agent" "$SERVICE_USER"
    say "created the system user $SERVICE_USER"
}

site_packages() {
    "$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'
}

ensure_venv() {
    mkdir -p "$OPT"
    if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        say "reusing the virtual environment $VENV"
    else
        rm -rf "$VENV"
        if [ -n "$DEV_SITE" ]; then
            # pip itself comes from DEV_SITE through the .pth line below.
            "$PYTHON" -m venv --without-pip "${VENV_ARGS[@]}" "$VENV"
        else
            "$PYTHON" -m venv "${VENV_ARGS[@]}" "$VENV"
        fi
        say "created the virtual environment $VENV"
    fi
    if [ -n "$DEV_SITE" ]; then
        [ -d "$DEV_SITE" ] || die "--dev-site-packages: no directory $DEV_SITE"
        printf '%s\n' "$(cd "$DEV_SITE" && pwd)" > "$(site_packages)/hearth-dev-site.pth"
    fi
}

install_package() {
    # Build from a clean copy of the sources: an in-tree build would leave build/ and
    # *.egg-info in the checkout, and the checkout may be read-only.
    STAGE=$(mktemp -d)
    local item
    for item in pyproject.toml README.md LICENSE agent skills; do
        if [ -e "$SRC/$item" ]; then
            cp -R "$SRC/$item" "$STAGE/"
        fi
    done
    find "$STAGE" -name __pycache__ -type d -prune -exec rm -rf {} +
    local pip=("$VENV/bin/python" -m pip install --disable-pip-version-check --quiet)
    if [ -n "$DEV_SITE" ]; then
        # Everything hearth needs is already importable from DEV_SITE: install hearth alone,
        # and never uninstall DEV_SITE's own copy of it.
        pip+=(--no-deps --ignore-installed)
    fi
    "${pip[@]}" "${PIP_ARGS[@]}" --upgrade "$STAGE"
    if [ "$VENV" != "$TARGET_VENV" ]; then
        retarget_scripts
    fi
    # Through the interpreter, not bin/hearth: under --root its #! names the target path.
    local version
    version=$("$VENV/bin/python" -m agent.cli.main --version) \
        || die "the installed hearth does not run"
    if [ -f "$SRC/README.md" ]; then
        install -m 0644 "$SRC/README.md" "$OPT/README.md"
    fi
    say "installed $version into $VENV"
}

retarget_scripts() {
    # pip wrote the staging path into every script's #! line (or its exec line, for long
    # paths) and activate* into VIRTUAL_ENV; the target machine has the venv at
    # $TARGET_VENV. The python symlinks and binary files are left as they are.
    "$VENV/bin/python" - "$VENV" "$TARGET_VENV" <<'PY'
import pathlib
import sys

staged, target = sys.argv[1], sys.argv[2]
for path in sorted(pathlib.Path(staged, "bin").iterdir()):
    if path.is_symlink() or not path.is_file():
        continue
    data = path.read_bytes()
    if b"\0" in data[:1024] or (not data.startswith(b"#!") and not path.name.startswith("activate")):
        continue
    text = data.decode("utf-8", "surrogateescape")
    if path.name.startswith("activate"):
        new = text.replace(staged, target)
    else:
        head, sep, rest = text.partition("\n")
        second, sep2, rest2 = rest.partition("\n")
        # pip's long-path form puts the interpreter on the second line.
        new = head.replace(staged, target) + sep + second.replace(staged, target) + sep2 + rest2
    if new != text:
        path.write_bytes(new.encode("utf-8", "surrogateescape"))
PY
    say "scripts in $VENV/bin point at $TARGET_VENV/bin/python (the path on the target)"
}

install_config() {
    local group=root
    if [ "$LIVE" = 1 ]; then
        group=$SERVICE_USER
    fi
    install -d -m 0750 "$ETC"
    install -d -m 0700 "$SECRETS"
    if [ "$LIVE" = 1 ]; then
        chown "root:$group" "$ETC"
        chown root:root "$SECRETS"
    fi
    if [ -e "$ETC/config.toml" ]; then
        say "kept the existing config $ETC/config.toml"
    else
        [ -f "$SRC/config.example.toml" ] || die "no config.example.toml in $SRC"
        install -m 0640 "$SRC/config.example.toml" "$ETC/config.toml"
        if [ "$LIVE" = 1 ]; then
            chown "root:$group" "$ETC/config.toml"
        fi
        say "wrote $ETC/config.toml from config.example.toml;" \
            "edit it, then: systemctl restart hearth"
    fi
    # systemd will not start a unit whose LoadCredential= file is missing; an empty file
    # means "no secret": no key runs hearth with the cloud tiers off.
    local secret
    for secret in anthropic_api_key mqtt_password; do
        if [ ! -e "$SECRETS/$secret" ]; then
            (umask 077 && : > "$SECRETS/$secret")
            say "created an empty $SECRETS/$secret (root, mode 600)"
        fi
    done
    say "to enable Claude: put a Console API key (sk-ant-api...) in" \
        "$SECRETS/anthropic_api_key and set in $ETC/config.toml:" \
        "[anthropic] api_key = { file = \"/run/credentials/hearth.service/anthropic_api_key\" }"
}

install_unit() {
    install -d -m 0755 "$UNIT_DIR"
    install -m 0644 "$SRC/deploy/hearth.service" "$UNIT"
    say "installed the unit $UNIT"
    if [ -n "$systemd_reason" ]; then
        say "skipping systemctl: $systemd_reason"
        say "on the target machine run: sudo systemctl daemon-reload &&" \
            "sudo systemctl enable --now hearth.service"
        return
    fi
    systemctl daemon-reload
    # time-sync.target means "clock synchronised" only with this service enabled.
    if systemctl cat systemd-time-wait-sync.service >/dev/null 2>&1; then
        systemctl enable --quiet systemd-time-wait-sync.service || true
    fi
    systemctl enable --quiet hearth.service
    if [ "$START" = 1 ]; then
        # restart, not start: an upgrade must run the new code.
        systemctl restart hearth.service
        say "hearth is running: systemctl status hearth; journalctl -u hearth -f"
    else
        say "enabled hearth.service; start it with: sudo systemctl start hearth"
    fi
}

if [ "$UNINSTALL" = 1 ]; then
    uninstall
    exit 0
fi
check_python
ensure_user
ensure_venv
install_package
install_config
install_unit
# Target paths, whatever --root was: the unit's config means the unit's state directory
# (/var/lib/hearth), which is what the doctor must look at.
say "done. Check the installation with:" \
    "sudo $TARGET_VENV/bin/hearth --config /etc/hearth/config.toml doctor"
