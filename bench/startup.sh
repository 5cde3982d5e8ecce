#!/bin/sh
# bench/startup.sh KTRIAGE [SRC]: start-up cost of `ktriage --version`,
# `analyze` of a two-line log without a crash and `analyze` of a one-oops
# log (tests/golden/linux-6.1-ip-do-fragment under SRC, default .). For each:
# median and fastest wall time and median CPU time (user+sys) of 200 runs,
# and the machine's load average (on a busy machine the fastest run is the
# better estimate of wall time); then what the dynamic loader did for
# --version (LD_DEBUG=statistics, glibc's ld.so(8)). docs/analyze-speed.md,
# "Start-up", quotes its figures.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 KTRIAGE [SRC]" >&2; exit 2; }
kt=$1
src=${2:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s\n' 'Dec  6 00:00:01 host kernel: [    0.000000] Linux version 6.1.0 (gcc 12)' \
	'Dec  6 00:00:02 host kernel: [    1.000000] e1000e: link up' > "$tmp/quiet.log"
python3 - "$kt" "$tmp/quiet.log" "$src/tests/golden/linux-6.1-ip-do-fragment/input.log" <<'PY'
import os, resource, statistics, subprocess, sys, time
kt, quiet, oops = sys.argv[1:4]
for name, args in (("--version", ["--version"]), ("analyze quiet.log", ["analyze", quiet]),
                   ("analyze one-oops.log", ["analyze", oops])):
    walls, cpus = [], []
    for _ in range(200):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([kt] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    print("%-22s wall median %6.2f ms, fastest %6.2f ms; cpu median %6.2f ms; load %.1f" %
          (name, statistics.median(walls) * 1e3, min(walls) * 1e3,
           statistics.median(cpus) * 1e3, os.getloadavg()[0]))
PY
LD_DEBUG=statistics "$kt" --version 2>&1 >/dev/null |
	sed -n 's/^ *[0-9]*:[[:space:]]*//; /startup time\|number of relocations:\|relative relocations/p' |
	head -3
echo "shared libraries at start-up: $(ldd "$kt" | wc -l)"
