#!/usr/bin/env python3
"""bench/extents-copy.py -- the raw host-to-host copy of a sparse file's
allocated bytes, for bench/stage-base.sh (issue 6): no format, no checks,
no compression; the fastest plain way to move them.

  extents-copy.py send FILE HOST PORT   the data extents of FILE (SEEK_DATA /
                                        SEEK_HOLE), each with its offset and
                                        length, sendfile(2) into one TCP
                                        connection (retried until HOST listens)
  extents-copy.py recv FILE PORT        accepts one connection, creates FILE
                                        (never an existing one) with the
                                        sender's length, writes each extent at
                                        its offset: the holes stay holes

No sync: the caller runs sync FILE when it wants the copy on disk."""
import os
import socket
import struct
import sys
import time


def send(path, host, port):
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    for _ in range(200):
        try:
            s = socket.create_connection((host, int(port)))
            break
        except OSError:
            time.sleep(0.05)
    else:
        sys.exit("extents-copy: cannot connect to %s:%s" % (host, port))
    s.sendall(struct.pack("!Q", size))
    off = 0
    while off < size:
        try:
            data = os.lseek(fd, off, os.SEEK_DATA)
        except OSError:  # ENXIO: only a hole up to the end
            break
        hole = os.lseek(fd, data, os.SEEK_HOLE)
        s.sendall(struct.pack("!QQ", data, hole - data))
        pos = data
        while pos < hole:
            pos += os.sendfile(s.fileno(), fd, pos, hole - pos)
        off = hole
    s.close()


def read_exact(c, n):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        r = c.recv_into(view[got:])
        if not r:
            raise EOFError
        got += r
    return buf


def recv(path, port):
    lsn = socket.socket()
    lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsn.bind(("", int(port)))
    lsn.listen(1)
    c, _ = lsn.accept()
    size, = struct.unpack("!Q", read_exact(c, 8))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.ftruncate(fd, size)
    view = memoryview(bytearray(1 << 20))
    while True:
        try:
            off, n = struct.unpack("!QQ", read_exact(c, 16))
        except EOFError:
            break
        while n:
            r = c.recv_into(view[:min(n, len(view))])
            if not r:
                sys.exit("extents-copy: the sender stopped in the middle of an extent")
            os.pwrite(fd, view[:r], off)
            off += r
            n -= r
    os.close(fd)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "send":
        send(*sys.argv[2:5])
    elif len(sys.argv) == 4 and sys.argv[1] == "recv":
        recv(*sys.argv[2:4])
    else:
        sys.exit(__doc__)
