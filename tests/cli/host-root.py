#!/usr/bin/env python3
"""Build a --root fixture tree: a host's crash material laid out where
Linux and XenServer keep it, from the golden tests' own logs (tests/golden).

  host-root.py SOURCE_ROOT ROOT [--no-journal]

ROOT/var/crash/2015-06-04-03-12-09/           XenServer crash folder (examples/)
ROOT/var/crash/202312011200/dmesg.202312011200 kdump-tools (+ a binary dump.*)
ROOT/var/crash/127.0.0.1-2023-12-02-08:00:00/vmcore-dmesg.txt  kexec-tools
ROOT/sys/fs/pstore/dmesg-efi-1700000000{01,02,03}001  one Oops in 3 parts
    (header "Oops#1 PartN", Part1 = newest lines: linux fs/pstore/platform.c
    pstore_dump(); id = (timestamp*100 + part)*1000 + count:
    drivers/firmware/efi/efi-pstore.c generic_id())
ROOT/sys/fs/pstore/dmesg-ramoops-{0,1}        two single-part Panic records
ROOT/var/lib/systemd/pstore/1700001000/dmesg.txt  archived by systemd-pstore
ROOT/var/log/journal/<machine-id>/system.journal  two boots (journal export
    format, https://systemd.io/JOURNAL_EXPORT_FORMATS/, written by
    systemd-journal-remote --output): the first with a crash, the second none
ROOT/var/log/kern.log                         (not read when the journal is there)
"""
import os, re, shutil, subprocess, sys

src, root = sys.argv[1], sys.argv[2]
journal = "--no-journal" not in sys.argv[3:]
g = os.path.join(src, "tests", "golden")
def rd(p): return open(os.path.join(g, p)).read()
def wr(rel, text, mode="w"):
    p = os.path.join(root, rel.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, mode) as f:
        f.write(text)

# XenServer crash folder
xs = os.path.join(root, "var/crash/2015-06-04-03-12-09")
os.makedirs(xs, exist_ok=True)
for n in ("xen.log", "dom0.log", "xen-crashdump-analyser.log"):
    shutil.copy(os.path.join(src, "examples/xenserver-enic-jumbo", n), xs)
# kdump-tools and kexec-tools
wr("/var/crash/202312011200/dmesg.202312011200", rd("rules/list-corruption/fire.log"))
wr("/var/crash/202312011200/dump.202312011200", "KDUMP   \0\0\0\x01" + "\0" * 4000)
wr("/var/crash/127.0.0.1-2023-12-02-08:00:00/vmcore-dmesg.txt",
   rd("rules/xfs-corruption/fire.log"))
# apport-style crash file at the top: not kernel material
wr("/var/crash/_usr_bin_foo.1000.crash", "ProblemType: Crash\n")

# pstore: one Oops in three parts (efi), newest lines in Part1
lines = rd("linux-6.1-ip-do-fragment/input.log").splitlines(True)
k = len(lines) // 3
chunks = ["".join(lines[:k]), "".join(lines[k:2 * k]), "".join(lines[2 * k:])]
for part, chunk in ((3, chunks[0]), (2, chunks[1]), (1, chunks[2])):
    wr("/sys/fs/pstore/dmesg-efi-%d" % ((1700000000 * 100 + part) * 1000 + 1),
       "Oops#1 Part%d\n" % part + chunk)
wr("/sys/fs/pstore/dmesg-ramoops-0", "Panic#1 Part1\n" + rd("rules/stack-protector-panic/fire.log"))
# another boot's dump with the same header: a record of its own
wr("/sys/fs/pstore/dmesg-ramoops-1", "Panic#1 Part1\n" + rd("rules/soft-lockup-virtual/fire.log"))
wr("/var/lib/systemd/pstore/1700001000/dmesg.txt", rd("rules/bad-page-state/fire.log"))

# syslog file (the same messages as the journal, in a real host); without
# a journal it holds the crash of the running boot (kern.log format)
def kernlog(text):
    out = []
    for l in text.splitlines():
        m = re.match(r"(\[\s*\d+\.\d+\].*)", l)
        if m:
            out.append("Dec  1 10:00:00 h1 kernel: %s\n" % m.group(1))
    return "".join(out)
wr("/var/log/kern.log", "Dec  1 10:00:00 h1 kernel: [    1.000000] Linux version 6.1.0\n" +
   ("" if journal else kernlog(rd("rules/scheduling-while-atomic/fire.log"))))

if journal:
    boot1, boot2 = "1" * 32, "2" * 32
    out, cursor, t0 = [], 0, 1700000000 * 1000000
    def entry(boot, mono, msg, transport="kernel"):
        global cursor
        cursor += 1
        out.append("__CURSOR=s=0;i=%d\n__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n"
                   "_BOOT_ID=%s\n_TRANSPORT=%s\n_HOSTNAME=h1\nPRIORITY=4\n"
                   "_MACHINE_ID=%s\n_SOURCE_MONOTONIC_TIMESTAMP=%d\nMESSAGE=%s\n\n"
                   % (cursor, t0 + (0 if boot == boot1 else 86400000000) + mono, mono,
                      boot, transport, "a" * 32, mono, msg))
    for l in rd("rules/scheduling-while-atomic/fire.log").splitlines():
        m = re.match(r"\[\s*(\d+)\.(\d+)\]\s?(.*)", l)
        if m:
            entry(boot1, int(m.group(1)) * 1000000 + int(m.group(2)), m.group(3))
    entry(boot1, 5000000, "systemd message, not the kernel", transport="journal")
    entry(boot2, 1000000, "Linux version 6.1.0 (a quiet boot)")
    exp = os.path.join(root, "export.tmp")
    with open(exp, "w") as f:
        f.write("".join(out))
    jdir = os.path.join(root, "var/log/journal", "a" * 32)
    os.makedirs(jdir, exist_ok=True)
    subprocess.run(["/lib/systemd/systemd-journal-remote",
                    "--output=" + os.path.join(jdir, "system.journal"), exp],
                   check=True, capture_output=True)
    os.unlink(exp)
