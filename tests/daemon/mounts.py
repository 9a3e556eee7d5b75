"""Real small file systems for storage-failure tests: a read-only one and a tiny full one.

Mounting needs root (CI runs as root on the test machine); elsewhere the tests skip and say
why. Every mount is undone when the test ends.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(where: Path, *, size: str = "1m", read_only: bool = False) -> Iterator[Path]:
    """A fresh tmpfs of `size` mounted at `where` (created), optionally read-only."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; storage-failure tests not run")
    where.mkdir(parents=True, exist_ok=True)
    options = f"size={size},mode=0700" + (",ro" if read_only else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(directory: Path) -> Path:
    """Write a file in `directory` until the file system is full; return it."""
    filler = directory / "filler"
    chunk = b"\0" * 4096
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, chunk)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler
