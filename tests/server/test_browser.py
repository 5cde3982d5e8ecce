#!/usr/bin/env python3
"""The web view in a real browser: Debian's chromium, headless, loads /,
/issues/ID and /crashes/ID from a test server filled by demo.py and the test
asserts on the rendered DOM (--dump-dom); a page with hostile log text must
produce no script, svg-onload or other injected element.

usage: test_browser.py KTRIAGE_EXE SOURCE_ROOT [--screenshots DIR]
With --screenshots, also writes index.png, issue.png, crash.png, host.png
and pool.png (1280x900) into DIR (docs/img).
Exit 77 (skip) when chromium is not installed, unless KT_REQUIRE_BROWSER=1.
"""
import html.parser
import os
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import demo  # noqa: E402
import ktlib  # noqa: E402

EXE, ROOT = sys.argv[1], sys.argv[2]
SHOTS = sys.argv[sys.argv.index("--screenshots") + 1] if "--screenshots" in sys.argv else None
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    print("1..0 # SKIP chromium not installed")
    sys.exit(1 if os.environ.get("KT_REQUIRE_BROWSER") == "1" else 77)
T = ktlib.Tap()
tmp = tempfile.mkdtemp(prefix="kt-browser-")


def chromium(*args):
    profile = tempfile.mkdtemp(dir=tmp)
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile] + list(args)
    return subprocess.run(cmd, capture_output=True, timeout=90).stdout.decode("utf-8", "replace")


class Dom(html.parser.HTMLParser):
    """Elements of the dumped DOM: (tag, attrs, text inside)."""

    def __init__(self, text):
        super().__init__()
        self.els, self.stack = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        el = [tag, dict(attrs), ""]
        self.els.append(el)
        if tag not in ("meta", "br", "input", "link", "img", "hr", "rect"):
            self.stack.append(el)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        for el in self.stack:
            el[2] += data

    def find(self, tag, **attrs):
        return [e for e in self.els if e[0] == tag and all(
            (e[1].get(k.rstrip("_")) or "").split().count(v) or e[1].get(k.rstrip("_")) == v
            for k, v in attrs.items())]


srv = ktlib.Server(EXE, "sqlite:" + os.path.join(tmp, "store.db"), ["-q"], tmp)
try:
    srv.start()
    ids = demo.populate(EXE, ROOT, srv)

    d = Dom(chromium("--dump-dom", srv.url("/")))
    rows = [e for e in d.find("a", class_="issue")]
    T.ok(len(rows) == 6 and any("ip_fragment" in e[2] for e in rows),
         "/: six issues listed, the ip_fragment one among them (%d)" % len(rows))
    T.ok(len(d.find("svg", class_="spark")) == 6 and d.find("form", class_="filters"),
         "/: a sparkline per issue and the filter form")
    T.ok(any(len(e[2].strip()) > 20 for e in d.find("td", class_="finding")),
         "/: a top finding with its remedy shown")
    T.ok(not d.find("script"), "/: no script element")

    d = Dom(chromium("--dump-dom", srv.url("/issues/%d" % ids["enic_issue"])))
    h1 = d.find("h1", class_="title")
    T.ok(h1 and "ip_fragment" in h1[0][2], "/issues/ID: title")
    T.ok(d.find("section", id="daily") and d.find("svg", class_="bars"), "/issues/ID: daily bars")
    T.ok(any("enic@9000" in e[2] for e in d.find("p", class_="lift")), "/issues/ID: lift line")
    rep = d.find("section", id="representative")
    T.ok(rep and "What happened" in rep[0][2] and "Remedy" in rep[0][2],
         "/issues/ID: representative crash's story and findings")
    T.ok(any(e[1].get("href") == "/crashes/%d" % ids["enic_crash"] for e in d.find("a")),
         "/issues/ID: crash list links the crash")

    d = Dom(chromium("--dump-dom", srv.url("/crashes/%d" % ids["enic_crash"])))
    g = d.find("tr", class_="guilty")
    T.ok(g and "ip_fragment" in g[0][2], "/crashes/ID: guilty frame ip_fragment marked")
    T.ok(any(e[1].get("href") == "/hosts/xs-a" for e in d.find("a"))
         and any(e[1].get("href") == "/crashes/%d/raw" % ids["enic_crash"] for e in d.find("a")),
         "/crashes/ID: where it was seen, raw download")
    T.ok(d.find("section", id="text") and "Kernel panic" in d.find("section", id="text")[0][2],
         "/crashes/ID: the report text")

    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        for name, path in [("index", "/"), ("issue", "/issues/%d" % ids["web_issue"]),
                           ("crash", "/crashes/%d" % ids["enic_crash"]), ("host", "/hosts/xs-a"),
                           ("pool", "/pools/pool-ucs")]:
            out = os.path.abspath(os.path.join(SHOTS, name + ".png"))
            chromium("--screenshot=" + out, "--window-size=1280,900",
                     "--run-all-compositor-stages-before-draw", "--virtual-time-budget=3000",
                     srv.url(path))
            T.ok(os.path.exists(out), "screenshot %s" % out)

    # hostile text: nothing becomes an element
    evil_log = ktlib.oops_log("x_<script>document.title='pwned'</script>_fn",
                              comm='"><img src=x onerror=alert(1)>', module="m<svg onload=alert(1)>")
    st, _, data = srv.request("POST", "/api/v1/uploads", evil_log,
                              {"X-Ktriage-Host": "<b>h'\"", "X-Ktriage-Pool": "<i>p",
                               "Content-Type": "text/plain"})
    import json
    j = json.loads(data)
    bad = []
    for path in ["/", "/crashes/%d" % j["crashes"][0]["id"],
                 "/issues/%d" % j["crashes"][0]["issue"]["id"], "/hosts/" + quote("<b>h'\"", safe="")]:
        dom = chromium("--dump-dom", srv.url(path))
        dd = Dom(dom)
        if dd.find("script") or dd.find("img") or any("onload" in e[1] or "onerror" in e[1]
                                                      for e in dd.els) or "pwned" in (
                dd.find("title")[0][2] if dd.find("title") else "") or dd.find("b") and any(
                "h'" in e[2] for e in dd.find("b")):
            bad.append(path)
    T.ok(st == 201 and not bad, "hostile log text renders as text in the browser: %s" % bad)

finally:
    srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(T.done())
