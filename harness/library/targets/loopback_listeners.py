"""Who listens on a loopback TCP port (Linux /proc): an engine's health check must be answered by that engine.

A free port is picked by binding port 0 and closing it; LocalStack binds it a second or two later. Two engines booting
at once (two test runs on one machine) can be handed the same port in between; the second one's bind then fails, but
its health check is answered by the first engine, and its tests would talk to another run's engine.
"""

from __future__ import annotations

import os
from pathlib import Path

_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp


def listening_sockets(port: int) -> set[int]:
    """The inodes of the sockets listening on 127.0.0.1:`port` (or on every address)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        address, state, inode = fields[1], fields[3], int(fields[9])
        host, hex_port = address.split(":")
        if state == _LISTEN and int(hex_port, 16) == port and host in ("0100007F", "00000000"):
            inodes.add(inode)
    return inodes


def sockets_of(pids: set[int]) -> set[int]:
    """The inodes of the sockets the processes hold open."""
    inodes = set()
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:  # gone
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:  # closed since it was listed: a busy engine opens and closes files all the time, and its
                continue  # other sockets, its listener among them, are still its own
            if target.startswith("socket:["):
                inodes.add(int(target[8:-1]))
    return inodes
