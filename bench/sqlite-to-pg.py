#!/usr/bin/env python3
"""Copy a SQLite crash store into an empty PostgreSQL one (benchmarks only).

  bench/sqlite-to-pg.py [--exe KTRIAGE] SQLITE_PATH POSTGRESQL_URL

Importing the 100,000-crash fleet of bench/gen-store.py into PostgreSQL
takes over ten minutes on a loaded 2-core machine; the page and list
timings only need the same rows. KTRIAGE (default build/cli/ktriage)
creates the schema of the SQLite store's version in the empty database
(so run it with the binary that wrote the SQLite file), then every table
is copied with COPY ... FROM STDIN (CSV; blobs as bytea hex), and the
id sequences are moved past the copied ids. Run by hand, never in tests.
"""
import argparse
import csv
import io
import os
import sqlite3
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# parents before children (foreign keys)
ORDER = ["kt_pool", "kt_host", "kt_blob", "kt_upload", "kt_facts", "kt_facts_facet", "kt_issue",
         "kt_issue_bucket", "kt_crash", "kt_crash_seen", "kt_event", "kt_facet", "kt_issue_sum",
         "kt_issue_value", "kt_issue_by"]

ap = argparse.ArgumentParser()
ap.add_argument("--exe", default=os.path.join(ROOT, "build", "cli", "ktriage"))
ap.add_argument("sqlite")
ap.add_argument("pg")
a = ap.parse_args()

subprocess.run([a.exe, "db", "--db", a.pg, "stats"], check=True, stdout=subprocess.DEVNULL)
src = sqlite3.connect(a.sqlite)
have = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
pg_have = set(subprocess.run(["psql", "-At", a.pg, "-c",
                              "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"],
                             check=True, capture_output=True, text=True).stdout.split())
for t in ORDER:
    if t not in have or t not in pg_have:
        continue
    cols = [r[1] for r in src.execute("PRAGMA table_info(%s)" % t)]
    p = subprocess.Popen(["psql", "-q", a.pg, "-c", "COPY %s(%s) FROM STDIN WITH (FORMAT csv)"
                          % (t, ", ".join(cols))], stdin=subprocess.PIPE)
    w = io.TextIOWrapper(p.stdin, encoding="utf-8", errors="surrogateescape", newline="")
    out = csv.writer(w)
    n = 0
    for row in src.execute("SELECT * FROM %s" % t):
        out.writerow(["\\x" + v.hex() if isinstance(v, bytes) else v for v in row])
        n += 1
    w.close()
    if p.wait() != 0:
        sys.exit("COPY %s failed" % t)
    if "id" in cols:
        subprocess.run(["psql", "-q", a.pg, "-c", "SELECT setval(pg_get_serial_sequence('%s', 'id'),"
                        " (SELECT coalesce(max(id), 0) + 1 FROM %s), false)" % (t, t)],
                       check=True, stdout=subprocess.DEVNULL)
    print("%s: %d rows" % (t, n), flush=True)
