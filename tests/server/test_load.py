#!/usr/bin/env python3
"""ktriage serve under load, with a kill -9 in the middle.

8 concurrent uploaders x 250 uploads on loopback, repeats of earlier uploads
(their own and other uploaders') mixed in. Half-way the server is killed
with SIGKILL and started again on the same store; uploaders retry what got
no answer. Afterwards:
  - every crash is counted exactly once (store totals = distinct logs);
  - no upload that was answered before the kill is lost: uploading the same
    bytes again answers 200 with the same upload id.
Bounded: a fixed number of uploads, retries and a wall-clock limit.

usage: test_load.py KTRIAGE_EXE SOURCE_ROOT [sqlite|postgresql]
"""
import http.client
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktlib  # noqa: E402

EXE, ROOT = sys.argv[1], sys.argv[2]
BACKEND = sys.argv[3] if len(sys.argv) > 3 else "sqlite"
WORKERS, PER_WORKER, REPEAT_EVERY = 8, 250, 4	# every 4th upload repeats an earlier one
DEADLINE = time.time() + 240
T = ktlib.Tap()
tmp = tempfile.mkdtemp(prefix="kt-load-")
if BACKEND == "postgresql":
    DB = os.environ.get("KTRIAGE_TEST_PG_URL")
    if not DB:
        print("1..0 # SKIP no KTRIAGE_TEST_PG_URL")
        sys.exit(77)
else:
    DB = "sqlite:" + os.path.join(tmp, "store.db")

srv = ktlib.Server(EXE, DB, ["--rate", "100000000/1000000", "--threads", "4", "-q"], tmp)
lock = threading.Lock()
port = {"n": 0}
answered = {}          # key -> (upload id, answered before the kill?)
sent_logs = []          # keys whose bytes were answered at least once (for repeats)
killed = threading.Event()
errors = []
counts = {"201": 0, "200": 0, "retry": 0}


def pending_count():
    """Interrupted imports left in the store (table kt_pending)."""
    try:
        if BACKEND == "postgresql":
            out = subprocess.run(["psql", "-At", DB, "-c", "SELECT count(*) FROM kt_pending"],
                                 capture_output=True, text=True).stdout.strip()
            return int(out or 0)
        c = sqlite3.connect(DB[len("sqlite:"):], timeout=5)
        try:
            return c.execute("SELECT count(*) FROM kt_pending").fetchone()[0]
        finally:
            c.close()
    except (sqlite3.Error, ValueError):
        return 0


def log_of(key):
    w, i = key
    # a distinct crash per key: unique guilty function, own host and time
    return ktlib.oops_log("load_w%d_n%d_fn" % (w, i), ts=1000.0 + i, pid=1000 + i,
                          comm="loadgen%d" % w), "load-host-%d" % (i % 16)


def post(key):
    body, host = log_of(key)
    for attempt in range(200):
        if time.time() > DEADLINE:
            raise RuntimeError("deadline")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port["n"], timeout=30)
            c.request("POST", "/api/v1/uploads", body,
                      {"X-Ktriage-Host": host, "Content-Type": "text/plain"})
            r = c.getresponse()
            data = r.read()
            c.close()
            if r.status in (200, 201):
                return r.status, json.loads(data)
            if r.status != 503:
                raise RuntimeError("status %d: %r" % (r.status, data[:200]))
        except (OSError, http.client.HTTPException):
            pass
        with lock:
            counts["retry"] += 1
        time.sleep(0.1)
    raise RuntimeError("no answer after retries for %r" % (key,))


def worker(w):
    rnd = random.Random(w)
    try:
        n_new = 0
        for k in range(PER_WORKER):
            with lock:
                pool = list(sent_logs)
            if k % REPEAT_EVERY == REPEAT_EVERY - 1 and pool:
                key = rnd.choice(pool)
            else:
                key = (w, n_new)
                n_new += 1
            st, ans = post(key)
            with lock:
                counts[str(st)] += 1
                up = ans["upload"]
                if key in answered and answered[key][0] != up:
                    errors.append("key %r: upload id %s then %s" % (key, answered[key][0], up))
                if key not in answered:
                    answered[key] = (up, not killed.is_set())
                    sent_logs.append(key)
                if len(ans.get("crashes", [])) != 1:
                    errors.append("key %r: %d crashes" % (key, len(ans.get("crashes", []))))
    except Exception as e:  # noqa: BLE001
        with lock:
            errors.append("worker %d: %s" % (w, e))


try:
    srv.start()
    port["n"] = srv.port
    t0 = time.time()
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(WORKERS)]
    for t in threads:
        t.start()
    # kill -9 half-way, restart on the same store (a new port: clients follow)
    total = WORKERS * PER_WORKER
    while time.time() < DEADLINE:
        with lock:
            done = counts["200"] + counts["201"]
        if done >= total // 2:
            break
        time.sleep(0.02)
    killed.set()
    srv.proc.kill()
    srv.proc.wait()
    srv.proc = None
    srv.logf.close()
    with lock:
        before_kill = {k: v[0] for k, v in answered.items() if v[1]}
    time.sleep(0.3)
    srv.start()
    port["n"] = srv.port
    for t in threads:
        t.join(max(1, DEADLINE - time.time()))
    elapsed = time.time() - t0
    T.ok(not any(t.is_alive() for t in threads) and not errors,
         "%d uploads by %d uploaders in %.1fs (%d new, %d seen, %d retries), kill -9 at %d: %s"
         % (total, WORKERS, elapsed, counts["201"], counts["200"], counts["retry"],
            len(before_kill), errors[:3]))
    distinct = len(answered)
    T.ok(counts["200"] + counts["201"] == total, "every upload answered once it got through")

    # no committed upload lost: the same bytes answer 200 with the same id
    lost = []
    for key, up in sorted(before_kill.items()):
        st, ans = post(key)
        if st != 200 or ans.get("upload") != up:
            lost.append((key, up, st, ans.get("upload")))
    T.ok(not lost and before_kill, "all %d uploads answered before the kill are there: %s"
         % (len(before_kill), lost[:3]))
    srv.stop()

    # every crash counted exactly once
    p = subprocess.run([EXE, "db", "--db", DB, "stats", "--format", "json"], capture_output=True)
    stats = json.loads(p.stdout or b"{}")
    T.ok(stats.get("crashes") == distinct and stats.get("uploads") == distinct,
         "store: %s crashes, %s uploads for %d distinct logs"
         % (stats.get("crashes"), stats.get("uploads"), distinct))
    T.ok(stats.get("issues") == distinct, "one issue per distinct crash (%s)" % stats.get("issues"))
    srv.start()
    st, j = srv.json("GET", "/api/v1/issues?limit=1000")
    T.ok(st == 200 and all(i["crashes"] == 1 for i in j["issues"]),
         "no issue counts a crash twice")

    # raw first: kill -9 while a big upload is being analysed (its bytes
    # already committed, no answer sent yet); the restart imports it
    big = b"".join(ktlib.oops_log("recover_fn_%d" % i, ts=10.0 + i, pid=i) for i in range(900))
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=60)
    sock.sendall(b"POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nX-Ktriage-Host: recover-host\r\n"
                 b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(big) + big)
    seen_pending = False
    end = time.time() + 60
    while time.time() < end and not seen_pending:
        seen_pending = pending_count() > 0
        if not seen_pending:
            time.sleep(0.005)
    srv.proc.kill()
    srv.proc.wait()
    srv.proc = None
    srv.logf.close()
    sock.close()
    if not seen_pending:
        T.skip("the big upload was imported before it could be seen pending")
    else:
        srv.start()
        st, _, data = srv.request("POST", "/api/v1/uploads", big,
                                  {"X-Ktriage-Host": "recover-host", "Content-Type": "text/plain"})
        ans = json.loads(data)
        T.ok(pending_count() == 0 and st == 200 and ans.get("status") == "seen"
             and len(ans.get("crashes", [])) == 900,
             "an upload killed mid-analysis is imported at restart (%s, %s, %d crashes)"
             % (st, ans.get("status"), len(ans.get("crashes", []))))
finally:
    srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(T.done())
