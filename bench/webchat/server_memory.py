#!/usr/bin/env python3
"""One snapshot of what a server's WebSocket connections cost, as JSON on stdout.

    server_memory.py PID PORT

- user space: the process's anonymous resident memory (RssAnon in /proc/PID/status: heap, stacks,
  anonymous mappings; code and file pages are left out, they do not grow per connection), VmRSS
  and smaps_rollup's Pss beside it;
- kernel buffers: the socket memory the kernel charges to the server's side of every established
  connection on PORT (`ss -tm`, skmem: r receive queue + w send queue + f forward-allocated + o
  option memory), summed;
- kernel socket objects: the slab caches one TCP socket occupies (its `TCP` sock, inode, file,
  dentry, epoll item), bytes in use host-wide. Both ends of every loopback connection are on
  this host, so the caller halves the delta; other processes move it too, so it is a check on
  the order of magnitude, not part of the target.
"""
import json
import re
import subprocess
import sys

SOCKET_SLABS = ("TCP", "sock_inode_cache", "filp", "dentry", "eventpoll_epi", "eventpoll_pwq")


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise SystemExit(f"server_memory.py: no {field} in /proc/{pid}/status")


def pss_kb(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise SystemExit(f"server_memory.py: no Pss in /proc/{pid}/smaps_rollup")


def socket_buffers(port):
    out = subprocess.run(
        ["ss", "-tmnH", "state", "established", f"( sport = :{port} )"],
        check=True, capture_output=True, text=True).stdout
    totals = {"r": 0, "w": 0, "f": 0, "o": 0}
    sockets = 0
    for skmem in re.findall(r"skmem:\(([^)]*)\)", out):
        sockets += 1
        for field in skmem.split(","):
            name = field.rstrip("0123456789")
            if name in totals:
                totals[name] += int(field[len(name):])
    return sockets, totals


def socket_slab_bytes():
    used = 0
    with open("/proc/slabinfo") as f:
        for line in f:
            parts = line.split()
            if parts and parts[0] in SOCKET_SLABS:
                used += int(parts[1]) * int(parts[3])  # active objects × object size
    return used


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: server_memory.py PID PORT")
    pid, port = sys.argv[1], sys.argv[2]
    sockets, buffers = socket_buffers(port)
    print(json.dumps({
        "rss_anon_kb": status_kb(pid, "RssAnon"),
        "vm_rss_kb": status_kb(pid, "VmRSS"),
        "pss_kb": pss_kb(pid),
        "sockets": sockets,
        "socket_buffers": buffers,
        "socket_buffer_bytes": sum(buffers.values()),
        "socket_slab_bytes": socket_slab_bytes(),
    }))


main()
