"""Run a command on a pseudo-terminal, as a user's shell would, and read exactly what it wrote there."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import termios
import time
from pathlib import Path


def run_on_terminal(
    argv: list[str],
    env: dict[str, str],
    *,
    quit_when: bytes | None = None,
    timeout: float = 30.0,
    cwd: Path | None = None,
) -> tuple[int, bytes]:
    """Run ``argv`` on a 120x30 pseudo-terminal (stdin, stdout and stderr); return its status and the bytes.

    With ``quit_when``, once those bytes are on screen ``q`` is pressed (again every second) until
    the program exits: for the app. Past ``timeout`` the program is killed.
    """
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, cwd=cwd)
    os.close(slave)
    out, start, pressed = b"", time.monotonic(), 0.0
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the program exited and the terminal closed
                    break
                if not chunk:
                    break
                out += chunk
            now = time.monotonic()
            if quit_when is not None and proc.poll() is None and quit_when in out and now - pressed > 1.0:
                os.write(master, b"q")
                pressed = now
            if now - start > timeout:
                proc.kill()
                break
    finally:
        code = proc.wait(10)
        os.close(master)
    return code, out
