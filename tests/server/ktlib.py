"""Helpers for the server tests: start/stop `ktriage serve`, HTTP calls,
and small synthetic crash logs.

The logs are modelled on the x86 page-fault oops as printed by the kernel
(linux arch/x86/mm/fault.c page_fault_oops(), show_fault_oops();
lib/dump_stack.c dump_stack_print_info(); arch/x86/kernel/dumpstack.c
show_trace_log_lvl()), written here from that format, not copied from a
real machine.
"""
import http.client
import json
import os
import signal
import subprocess
import tempfile
import time


def oops_log(func, ts=100.0, comm="kworker/0:1", module="demo", caller="process_one_work",
             cpu=0, pid=42, kernel="6.1.0-18-amd64", oot=True):
    """A dmesg-format NULL-pointer oops in `func` (the guilty frame)."""
    lines = [
        "BUG: kernel NULL pointer dereference, address: 0000000000000008",
        "#PF: supervisor read access in kernel mode",
        "#PF: error_code(0x0000) - not-present page",
        "PGD 0 P4D 0 ",
        "Oops: 0000 [#1] PREEMPT SMP NOPTI",
        ("CPU: %d PID: %d Comm: %s Tainted: G           OE      %s #1  Debian 6.1.76-1" if oot else
         "CPU: %d PID: %d Comm: %s Not tainted %s #1  Debian 6.1.76-1") % (cpu, pid, comm, kernel),
        "Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014",
        "RIP: 0010:%s+0x1c/0x90 [%s]" % (func, module),
        "Code: 48 89 e5 41 54 53 48 89 fb 48 8b 47 08 <48> 8b 40 08 48 85 c0 74 0c",
        "RSP: 0018:ffffb3c0c0210b58 EFLAGS: 00010206",
        "RAX: 0000000000000000 RBX: ffff9c2e8d4b6e00 RCX: 0000000000000000",
        "RDX: 00000000000005a8 RSI: ffff9c2e8a6f2ff8 RDI: ffff9c2e91c2a102",
        "CR2: 0000000000000008 CR3: 000000010b80a004 CR4: 00000000007706e0",
        "Call Trace:",
        " <TASK>",
        " %s+0x1c/0x90 [%s]" % (func, module),
        " %s+0x1e5/0x3b0" % caller,
        " worker_thread+0x50/0x3b0",
        " kthread+0xe9/0x110",
        " ret_from_fork+0x22/0x30",
        " </TASK>",
        "Modules linked in: %s%s bridge stp llc" % (module, "(OE)" if oot else ""),
        "CR2: 0000000000000008",
        "---[ end trace 0000000000000000 ]---",
    ]
    out = []
    for i, l in enumerate(lines):
        out.append("[%12.6f] %s" % (ts + i * 0.000011, l))
    return ("\n".join(out) + "\n").encode("utf-8", "surrogateescape")


class Server:
    """`ktriage serve` on 127.0.0.1, port chosen by the kernel."""

    def __init__(self, exe, db, args=(), tmp=None):
        self.exe, self.db, self.args = exe, db, list(args)
        self.tmp = tmp or tempfile.mkdtemp(prefix="kt-serve-")
        self.proc = None
        self.port = None
        # KT_SERVE_LOG: keep the server's standard error there (CI's TSan run)
        self.log = os.environ.get("KT_SERVE_LOG") or os.path.join(self.tmp, "serve.log")

    def start(self, timeout=30):
        pf = os.path.join(self.tmp, "port")
        if os.path.exists(pf):
            os.unlink(pf)
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [self.exe, "serve", "--db", self.db, "--listen", "127.0.0.1:0", "--port-file", pf]
            + self.args, stdout=subprocess.DEVNULL, stderr=self.logf)
        end = time.time() + timeout
        while time.time() < end:
            if os.path.exists(pf):
                self.port = int(open(pf).read())
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("serve exited %d: %s" % (self.proc.returncode,
                                                           open(self.log).read()[-2000:]))
            time.sleep(0.05)
        raise RuntimeError("serve did not start")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.logf.close()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def request(self, method, path, body=None, headers=None, timeout=60):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
        finally:
            c.close()

    def json(self, method, path, body=None, headers=None):
        st, h, data = self.request(method, path, body, headers)
        return st, json.loads(data) if data else None

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)


def db_urls(tmpdir):
    """Store URLs to test: SQLite always; PostgreSQL when the store's test
    harness exported one (KT_TEST_PG_URL)."""
    urls = [("sqlite", "sqlite:" + os.path.join(tmpdir, "store.db"))]
    pg = os.environ.get("KTRIAGE_TEST_PG_URL")
    if pg:
        urls.append(("postgresql", pg))
    return urls


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, what), flush=True)
        return cond

    def skip(self, what):
        self.n += 1
        print("ok %d - # SKIP %s" % (self.n, what), flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0
