#!/usr/bin/env python3
"""bench/median.py: run a command N times (stdout to /dev/null) and print the
median, fastest and slowest wall time and the median CPU time (user+sys of
the child, from wait4), with the load average before the runs.

Usage: bench/median.py [-n RUNS] [-b BYTES] [--label TEXT] -- CMD [ARG...]
  -b BYTES: also print MB/s for the median and the fastest run.
"""
import argparse
import os
import statistics
import sys
import time


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("-n", type=int, default=7)
    ap.add_argument("-b", type=int, default=0)
    ap.add_argument("--label", default="")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command")
    load = os.getloadavg()[0]
    devnull = os.open(os.devnull, os.O_WRONLY)
    walls, cpus = [], []
    for _ in range(a.n):
        t0 = time.perf_counter()
        pid = os.posix_spawnp(cmd[0], cmd, os.environ,
                              file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                            (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, ru = os.wait4(pid, 0)
        walls.append(time.perf_counter() - t0)
        cpus.append(ru.ru_utime + ru.ru_stime)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            sys.exit(f"median.py: {cmd[0]} exited {os.waitstatus_to_exitcode(status)}")
    med, lo, hi = statistics.median(walls), min(walls), max(walls)
    line = (f"{a.label or ' '.join(cmd)}: {a.n} runs, load {load:.2f}: wall median "
            f"{med * 1e3:.1f} ms (fastest {lo * 1e3:.1f}, slowest {hi * 1e3:.1f}), "
            f"cpu median {statistics.median(cpus) * 1e3:.1f} ms")
    if a.b:
        line += f"; {a.b / med / 1e6:.0f} MB/s median, {a.b / lo / 1e6:.0f} fastest"
    print(line)


if __name__ == "__main__":
    main()
