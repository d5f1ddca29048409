"""Who listens on a loopback port (harness/library/targets/loopback_listeners.py): a process's sockets are all found
while it closes other files meanwhile. A CI run saw an engine's own listener taken for another process's: one of its
fds closed between the listing and the read, and all its sockets were left out (PortInUseError on a port it held)."""

from __future__ import annotations

import os
import socket

import pytest

from harness.library.targets import loopback_listeners
from harness.library.targets.loopback_listeners import listening_sockets, sockets_of


@pytest.fixture
def listener():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock


def test_a_process_that_listens_holds_the_listening_socket(listener):
    inode = os.fstat(listener.fileno()).st_ino
    assert listening_sockets(listener.getsockname()[1]) == {inode}
    assert inode in sockets_of({os.getpid()})


def test_an_fd_closed_while_the_fds_are_read_leaves_the_others_found(listener, monkeypatch):
    inode = os.fstat(listener.fileno()).st_ino
    readlink, closed = os.readlink, []

    def readlink_of_a_process_closing_files(path, *args, **kwargs):
        if not closed:  # the first fd read was closed since it was listed
            closed.append(path)
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return readlink(path, *args, **kwargs)

    monkeypatch.setattr(loopback_listeners.os, "readlink", readlink_of_a_process_closing_files)
    assert closed == [] and inode in sockets_of({os.getpid()}) and len(closed) == 1
