#!/usr/bin/env python3
"""ktriage analyze --format html: one self-contained page, log text escaped.

usage: test_html.py KTRIAGE_EXE. Prints TAP.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktlib  # noqa: E402

exe = sys.argv[1]
T = ktlib.Tap()
tmp = tempfile.mkdtemp(prefix="kt-html-")
try:
    a = os.path.join(tmp, "a.log")
    with open(a, "wb") as f:
        f.write(ktlib.oops_log("evil_<script>alert(1)</script>_fn", comm='x"<i>\'&',
                               module="m<img src=x onerror=alert(1)>", kernel='6.1"><svg onload=x>'))
    p = subprocess.run([exe, "analyze", "--format", "html", a], capture_output=True)
    html = p.stdout.decode("utf-8")
    T.ok(p.returncode == 1, "exit 1: a crash reported (%d)" % p.returncode)
    T.ok(html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
         and html.count("<article") == 1, "one document, one report")
    T.ok(not re.search(r"<script|<img|<svg onload|<i>", html), "no log text as markup")
    T.ok("evil_&lt;script&gt;alert(1)&lt;/script&gt;_fn" in html
         and "m&lt;img src=x onerror=alert(1)&gt;" in html, "function and module shown escaped")
    T.ok(not re.search(r'(src|href)="(https?:)?//', html) and "<link" not in html,
         "self-contained: no external resources")
    T.ok("default-src 'none'" in html, "CSP meta forbids scripts and loads")
    b = os.path.join(tmp, "b.log")
    with open(b, "wb") as f:
        f.write(ktlib.oops_log("second_fn"))
    p = subprocess.run([exe, "analyze", "--format", "html", a, b], capture_output=True)
    T.ok(p.stdout.decode().count("<article") == 2 and p.stdout.decode().count("<!DOCTYPE") == 1,
         "two inputs: two reports in one page")
    empty = os.path.join(tmp, "empty.log")
    open(empty, "w").write("nothing to see\n")
    p = subprocess.run([exe, "analyze", "--format", "html", empty], capture_output=True)
    T.ok(p.returncode == 0 and "No crash found" in p.stdout.decode(), "no crash: exit 0, says so")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(T.done())
