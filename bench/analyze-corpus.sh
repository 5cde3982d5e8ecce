#!/bin/sh
# bench/analyze-corpus.sh KTRIAGE CORPUS_DIR: time `ktriage analyze --format
# jsonl` over every CORPUS_DIR/*.log in one process, best of 10 runs by wall
# clock and by CPU time (user+sys, ms resolution), with the default number of
# jobs (one per CPU) and with -j 1. The page cache is warm after the first run.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 KTRIAGE CORPUS_DIR" >&2; exit 2; }
exec python3 - "$1" "$2" <<'PY'
import glob, os, resource, subprocess, sys, time
kt, corpus = sys.argv[1], sys.argv[2]
logs = sorted(glob.glob(os.path.join(corpus, "*.log")))
def best(extra):
    walls, cpus = [], []
    for _ in range(10):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([kt, "analyze", "--format", "jsonl", "-q"] + extra + logs,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return min(walls), min(cpus)
w, c = best([])
w1, c1 = best(["-j", "1"])
print("analyze --format jsonl %s (%d logs, %d cpus): %.3f s wall, %.3f s cpu; "
      "with -j 1: %.3f s wall, %.3f s cpu" % (os.path.basename(corpus.rstrip("/")), len(logs),
                                              len(os.sched_getaffinity(0)), w, c, w1, c1))
PY
