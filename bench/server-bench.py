#!/usr/bin/env python3
"""Fleet-server benchmark (docs/server.md): run by hand, never in the tests.

  bench/server-bench.py [--backend sqlite|postgresql] [--hosts 1000] [--crashes 100000]
                        [--no-fleet] [--no-uploads] [--store URL] [--exe KTRIAGE]

1. Uploads/s on loopback: the seed crash folder (examples/xenserver-enic-jumbo
   packed as tar.gz, one upload per host name) with 4 concurrent clients; 2,000
   distinct small logs (one synthetic oops each, tests/server/ktlib.py) with 8
   clients; the same 2,000 again (every one answered "seen").
2. Page latency on a large store: the fleet of bench/gen-store.py (the store
   benchmark's generator: HOSTS hosts, CRASHES crashes) imported with
   `ktriage db import`, then `ktriage serve` on it: 200 sequential GETs each of
   /, /api/v1/issues and /issues/ID of the biggest issue; p50/p99 in ms.
PostgreSQL runs under scripts/pg-test.sh (a throw-away server).
"""
import argparse
import http.client
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "server"))
import ktlib  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--exe", default=os.path.join(ROOT, "build", "cli", "ktriage"))
ap.add_argument("--backend", default="sqlite")
ap.add_argument("--hosts", type=int, default=1000)
ap.add_argument("--crashes", type=int, default=100000)
ap.add_argument("--no-fleet", action="store_true")
ap.add_argument("--no-uploads", action="store_true")
ap.add_argument("--store", help="time the pages on this existing store URL (a fleet imported"
                " before, e.g. by bench/store-bench.sh) instead of importing the fleet again")
a = ap.parse_args()
if a.backend == "postgresql" and not os.environ.get("KTRIAGE_TEST_PG_URL"):
    os.execvp("sh", ["sh", os.path.join(ROOT, "scripts", "pg-test.sh"), "run", sys.executable]
              + sys.argv)
OUT = os.path.join(ROOT, "bench", "out", "server")
os.makedirs(OUT, exist_ok=True)
dbn = [0]


def fresh_db():
    dbn[0] += 1
    if a.backend == "postgresql":
        url = os.environ["KTRIAGE_TEST_PG_URL"]
        subprocess.run(["psql", "-q", url, "-c", "DROP DATABASE IF EXISTS s%d" % dbn[0],
                        "-c", "CREATE DATABASE s%d" % dbn[0]], check=True, capture_output=True)
        return url.replace("/ktriage?", "/s%d?" % dbn[0])
    p = os.path.join(OUT, "s%d.db" % dbn[0])
    for suf in ("", "-wal", "-shm"):
        if os.path.exists(p + suf):
            os.unlink(p + suf)
    return "sqlite:" + p


def cpu_of(pid):
    """User + system CPU seconds of a process so far (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def hammer(port, jobs, clients):
    """POST every (body, headers) of jobs with `clients` threads; returns
    (seconds, statuses)."""
    idx = [0]
    lock = threading.Lock()
    statuses = []

    def run():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if idx[0] >= len(jobs):
                    break
                body, hdr = jobs[idx[0]]
                idx[0] += 1
            c.request("POST", "/api/v1/uploads", body, hdr)
            r = c.getresponse()
            r.read()
            with lock:
                statuses.append(r.status)
        c.close()
    t0 = time.time()
    ts = [threading.Thread(target=run) for _ in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.time() - t0, statuses


def uploads():
    tmp = tempfile.mkdtemp(prefix="kt-sbench-")
    srv = ktlib.Server(a.exe, fresh_db(), ["-q", "--rate", "100000000/100000000", "--threads", "4"],
                       tmp).start()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        tf.add(os.path.join(ROOT, "examples", "xenserver-enic-jumbo"), "20150601-101112-UTC")
    tgz = buf.getvalue()
    jobs = [(tgz, {"X-Ktriage-Host": "xs-%04d" % i, "X-Ktriage-Source": "crash-folder",
                   "Content-Type": "application/gzip"}) for i in range(200)]
    c0 = cpu_of(srv.proc.pid)
    sec, st = hammer(srv.port, jobs, 4)
    cpu = cpu_of(srv.proc.pid) - c0
    print("%s: crash folder (%d bytes tar.gz): %d uploads in %.2f s = %.0f uploads/s (4 clients; %s);"
          " server CPU %.2f ms/upload" % (a.backend, len(tgz), len(jobs), sec, len(jobs) / sec,
                                          sorted(set(st)), 1000 * cpu / len(jobs)))
    logs = [(ktlib.oops_log("bench_fn_%d" % i, ts=100.0 + i, pid=i),
             {"X-Ktriage-Host": "h%03d" % (i % 200), "Content-Type": "text/plain"})
            for i in range(2000)]
    size = sum(len(b) for b, _ in logs) // len(logs)
    c0 = cpu_of(srv.proc.pid)
    sec, st = hammer(srv.port, logs, 8)
    cpu = cpu_of(srv.proc.pid) - c0
    print("%s: small logs (%d bytes each): %d uploads in %.2f s = %.0f uploads/s (8 clients; %s);"
          " server CPU %.2f ms/upload" % (a.backend, size, len(logs), sec, len(logs) / sec,
                                          sorted(set(st)), 1000 * cpu / len(logs)))
    c0 = cpu_of(srv.proc.pid)
    sec, st = hammer(srv.port, logs, 8)
    cpu = cpu_of(srv.proc.pid) - c0
    print("%s: the same small logs again (seen): %.2f s = %.0f uploads/s (%s); server CPU %.2f"
          " ms/upload" % (a.backend, sec, len(logs) / sec, sorted(set(st)), 1000 * cpu / len(logs)))
    srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def fleet():
    gen = os.path.join(ROOT, "bench", "out", "store", "fleet-%d-%d" % (a.hosts, a.crashes))
    if not a.store and not os.path.isdir(gen):
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen-store.py"), gen,
                        "--hosts", str(a.hosts), "--crashes", str(a.crashes)], check=True)
    t0 = time.time()
    if a.store:
        db = a.store
    else:
        db = fresh_db()
        subprocess.run([a.exe, "db", "--db", db, "import", os.path.join(gen, "logs")],
                       stdout=subprocess.DEVNULL)
    stats = json.loads(subprocess.run([a.exe, "db", "--db", db, "stats", "--format", "json"],
                                      capture_output=True).stdout)
    print("%s: fleet store: %d crashes, %d issues, %d hosts (import %.0f s)"
          % (a.backend, stats["crashes"], stats["issues"], stats["hosts"], time.time() - t0))
    tmp = tempfile.mkdtemp(prefix="kt-sbench-")
    srv = ktlib.Server(a.exe, db, ["-q", "--threads", "4"], tmp).start()
    st, j = srv.json("GET", "/api/v1/issues?limit=1")
    top = j["issues"][0]["id"]
    for path in ["/", "/api/v1/issues", "/issues/%d" % top, "/issues/%d?format=json" % top]:
        lat = []
        for _ in range(200):
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=120)
            t0 = time.perf_counter()
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            lat.append((time.perf_counter() - t0) * 1000)
            c.close()
        print("%s: GET %-28s %d, %7d bytes: p50 %.1f ms, p99 %.1f ms"
              % (a.backend, path, r.status, len(body), pct(lat, 50), pct(lat, 99)))
    srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)


if not a.no_uploads:
    uploads()
if not a.no_fleet:
    fleet()
