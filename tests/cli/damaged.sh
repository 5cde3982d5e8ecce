#!/bin/sh
# Damaged, unreadable and oversized input is never silent (TAP): for each
# case, the crashes in the readable part are reported, the problem is named
# with its input and member, the exit status is the documented one (3:
# some input could not be read fully), memory stays bounded.
# Inputs are generated here from examples/ (public logs, see their README).
# Usage: damaged.sh KTRIAGE SOURCE_ROOT
. "$(dirname "$0")/lib.sh"
chmod 755 "$tmp"
ex="$src/examples/xenserver-enic-jumbo"
seed="$ex/dom0.log"
crash='paging request in ip_fragment'
# jq-free JSON checks: python3 reads JSON Lines output
q() { python3 -c "$1" "$tmp/out"; }

# A log big enough to span many compressed blocks: 40 copies of the oops,
# each after 30 KB of noise (base64 of random bytes).
for i in $(seq 40); do head -c 30000 /dev/urandom | base64; cat "$seed"; done > "$tmp/many.log"

# 1. truncated single streams: crashes before the cut, 'truncated', exit 3
for z in gzip xz zstd "bzip2 -1"; do
	name=$(echo "$z" | cut -d' ' -f1)
	$z -c < "$tmp/many.log" > "$tmp/full.$name"
	size=$(wc -c < "$tmp/full.$name")
	head -c $((size * 3 / 4)) "$tmp/full.$name" > "$tmp/cut.$name"
	"$kt" analyze --format jsonl "$tmp/cut.$name" > "$tmp/out" 2>/dev/null; rc=$?
	[ $rc -eq 3 ]; check "$name cut at 3/4: exit 3" $? "rc=$rc"
	q 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); sys.exit(0 if len(d["reports"])>=5 and d["problems"][0]["kind"]=="truncated" and d["problems"][0]["offset"]>0 else 1)'
	check "$name cut at 3/4: the crashes before the cut, a 'truncated' problem with its offset" $? "$(head -c 300 "$tmp/out")"
done
# small gzip cut (the issue's case): the one crash in it is found
gzip -c "$seed" | head -c 2000 > "$tmp/t.gz"
out=$("$kt" analyze "$tmp/t.gz" 2>/dev/null); rc=$?
[ $rc -eq 3 ] && echo "$out" | grep -q "$crash" && echo "$out" | head -1 | grep -q "incomplete: truncated"
check "gzip cut at 2000 bytes: crash found, header line says truncated, exit 3" $? "rc=$rc $(echo "$out" | head -1)"

# 2. corrupt stream: bytes overwritten in the middle
cp "$tmp/full.gzip" "$tmp/bad.gz"
size=$(wc -c < "$tmp/bad.gz")
printf 'XXXXXXXX' | dd of="$tmp/bad.gz" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
"$kt" analyze --format jsonl "$tmp/bad.gz" > "$tmp/out" 2>/dev/null; rc=$?
[ $rc -eq 3 ]; check "corrupt gzip: exit 3" $? "rc=$rc"
q 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); sys.exit(0 if d["reports"] and d["problems"][0]["kind"]=="corrupt" else 1)'
check "corrupt gzip: crashes before the damage, a 'corrupt' problem" $? "$(head -c 300 "$tmp/out")"

# 3. tar cut and damaged: the crash folder in the readable part, the
#    problem names the archive and the member
mkdir -p "$tmp/f/crash-1" "$tmp/f/crash-2"
cp "$ex/dom0.log" "$ex/xen.log" "$tmp/f/crash-1/"
cp "$tmp/many.log" "$tmp/f/crash-2/dom0.log"
(cd "$tmp/f" && tar cf "$tmp/two.tar" crash-1 crash-2)
size=$(wc -c < "$tmp/two.tar")
head -c $((size - 20000)) "$tmp/two.tar" > "$tmp/cut.tar"
"$kt" analyze --format jsonl "$tmp/cut.tar" > "$tmp/out" 2>/dev/null; rc=$?
[ $rc -eq 3 ]; check "cut tar: exit 3" $? "rc=$rc"
q 'import json,sys
ins=[json.loads(l) for l in open(sys.argv[1])]
rep=sum(len(d["reports"]) for d in ins)
pr=[p for d in ins for p in d.get("problems",[])]
c2=[d for d in ins if d["input"].endswith("cut.tar:crash-2/")]
sys.exit(0 if rep>=2 and c2 and any(p["kind"]=="truncated" and p["member"]=="dom0.log" and "cut.tar" in p["message"] for p in c2[0].get("problems",[])) else 1)'
check "cut tar: crashes of both folders up to the cut; input cut.tar:crash-2/ has 'truncated' in member dom0.log" $? "$(cut -c1-200 "$tmp/out")"
cp "$tmp/two.tar" "$tmp/bad.tar"
printf 'ZZZZ' | dd of="$tmp/bad.tar" bs=1 seek=$((size - 20000)) conv=notrunc 2>/dev/null
"$kt" analyze "$tmp/bad.tar" > "$tmp/out" 2>&1; rc=$?
[ $rc -eq 3 ] || [ $rc -eq 1 ]; check "tar with 4 bytes overwritten: no crash of the tool (exit $rc)" $? ""
grep -q "$crash" "$tmp/out"; check "tar with 4 bytes overwritten: the crash in the readable part is found" $? ""
# tar.gz cut: the same through a compressed stream
gzip -c "$tmp/two.tar" > "$tmp/two.tar.gz"
size=$(wc -c < "$tmp/two.tar.gz")
head -c $((size - 200)) "$tmp/two.tar.gz" > "$tmp/cut.tar.gz"
"$kt" analyze --format jsonl "$tmp/cut.tar.gz" > "$tmp/out" 2>/dev/null; rc=$?
[ $rc -eq 3 ]; check "cut tar.gz: exit 3" $? "rc=$rc"
q 'import json,sys
ins=[json.loads(l) for l in open(sys.argv[1])]
pr=[p for d in ins for p in d.get("problems",[])]
sys.exit(0 if sum(len(d["reports"]) for d in ins)>=30 and any(p["kind"]=="truncated" for p in pr) else 1)'
check "cut tar.gz: the crashes before the cut (>= 30 of 41), 'truncated'" $? "$(cut -c1-200 "$tmp/out")"

# 4. zip: cut (read with its local headers) and on stdin
(cd "$tmp/f" && zip -qr "$tmp/two.zip" crash-1 crash-2)
"$kt" analyze - < "$tmp/two.zip" > "$tmp/out" 2>/dev/null; rc=$?
[ $rc -eq 1 ] && grep -q "$crash" "$tmp/out"; check "zip on stdin: crashes found, exit 1" $? "rc=$rc $(head -3 "$tmp/out")"
size=$(wc -c < "$tmp/two.zip")
head -c $((size / 2)) "$tmp/two.zip" > "$tmp/cut.zip"
"$kt" analyze --format jsonl "$tmp/cut.zip" > "$tmp/out" 2>/dev/null; rc=$?
[ $rc -eq 3 ]; check "cut zip: exit 3 (rc=$rc)" $? "$(cut -c1-200 "$tmp/out")"
"$kt" analyze --format jsonl - < "$tmp/cut.zip" > "$tmp/out" 2>/dev/null; rc=$?
[ $rc -eq 3 ] && grep -q "$crash" "$tmp/out"; check "cut zip on stdin: the readable crash folder, exit 3" $? "rc=$rc $(cut -c1-200 "$tmp/out")"

# 5. nested archives: a tar.gz in a tar.gz in a tar.gz, from a file and stdin
(cd "$tmp/f" && tar czf "$tmp/l1.tgz" crash-1)
(cd "$tmp" && tar czf l2.tar.gz l1.tgz && tar czf l3.tar.gz l2.tar.gz)
out=$("$kt" analyze "$tmp/l3.tar.gz" 2>/dev/null); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "l3.tar.gz:l2.tar.gz:l1.tgz:crash-1/"
check "nested 3 deep: the crash, named through every level" $? "rc=$rc $(echo "$out" | head -1)"
out=$("$kt" analyze - < "$tmp/l3.tar.gz" 2>/dev/null); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "$crash"; check "nested 3 deep on stdin: the crash" $? "rc=$rc"
"$kt" analyze --format jsonl --max-depth 1 "$tmp/l3.tar.gz" > "$tmp/out" 2>/dev/null; rc=$?
[ $rc -eq 3 ] && grep -q '"too-deep"' "$tmp/out" && grep -q '"member": "l1.tgz"' "$tmp/out"
check "--max-depth 1: a 'too-deep' problem naming the member, exit 3" $? "rc=$rc $(cat "$tmp/out")"
out=$("$kt" analyze - < "$tmp/l1.tgz" 2>/dev/null); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "^== -:crash-1/ =="; check "tar.gz on stdin: its crash folder" $? "rc=$rc"

# 6. unreadable members as a non-root user
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$tmp/logs/sub"
	cp "$seed" "$tmp/logs/a.log"; cp "$seed" "$tmp/logs/kern.log"; cp "$seed" "$tmp/logs/sub/b.log"
	chmod 640 "$tmp/logs/kern.log"; chmod 700 "$tmp/logs/sub"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$kt" analyze --format jsonl "$tmp/logs" > "$tmp/out" 2>/dev/null; rc=$?
	[ $rc -eq 3 ]; check "unreadable file and folder as nobody: exit 3" $? "rc=$rc"
	q 'import json,sys
ins=[json.loads(l) for l in open(sys.argv[1])]
u=[d["input"] for d in ins if any(p["kind"]=="unreadable" for p in d.get("problems",[]))]
sys.exit(0 if any(x.endswith("kern.log") for x in u) and any(x.endswith("sub") for x in u) and any(d["reports"] for d in ins) else 1)'
	check "unreadable kern.log and sub/ are 'unreadable' problems; a.log still analysed" $? "$(cat "$tmp/out" | cut -c1-200)"
else
	ok "# SKIP unreadable members (needs root and setpriv)"
	ok "# SKIP unreadable members (needs root and setpriv)"
fi

# 7. FIFO and /dev/zero, with limits
mkfifo "$tmp/fifo"
(cat "$seed" > "$tmp/fifo" &)
out=$(timeout 60 "$kt" analyze "$tmp/fifo" 2>/dev/null); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "$crash"; check "a FIFO is read" $? "rc=$rc"
python3 - "$kt" "$tmp/rss" <<'PY'
import resource, subprocess, sys
z = subprocess.Popen(["head", "-c", str(64 << 20), "/dev/zero"], stdout=subprocess.PIPE)
p = subprocess.run([sys.argv[1], "analyze", "--format", "jsonl", "--max-line", "4096", "-"],
                   stdin=z.stdout, capture_output=True, text=True, timeout=120)
open(sys.argv[2], "w").write("%d %d %d" % (p.returncode,
    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, '"limit"' in p.stdout))
PY
read rc rss lim < "$tmp/rss"
[ "$rc" -eq 3 ] && [ "$lim" -eq 1 ] && [ "$rss" -lt 200000 ]
check "64 MB of /dev/zero on stdin: a 'limit' problem (--max-line), RSS ${rss} KiB < 200 MB, exit 3" $? "rc=$rc lim=$lim rss=$rss"

out=$(timeout 60 "$kt" analyze --format jsonl --max-bytes 16M /dev/zero 2>/dev/null); rc=$?
[ $rc -eq 3 ] && echo "$out" | grep -q '"offset": 16777216' && echo "$out" | grep -q -- '--max-bytes'
check "/dev/zero named with --max-bytes 16M: stops there with a 'limit' problem, exit 3" $? "rc=$rc $out"

# 8. caps: --max-reports, --max-members
for i in $(seq 30); do cat "$seed"; done > "$tmp/30.log"
"$kt" analyze --format jsonl --max-reports 10 "$tmp/30.log" > "$tmp/out" 2>/dev/null; rc=$?
q 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); p=d["problems"][0]; sys.exit(0 if len(d["reports"])==10 and p["kind"]=="limit" and "20 more" in p["message"] and "--max-reports" in p["message"] else 1)'
check "--max-reports 10 on 30 crashes: 10 reported, '20 more' as a 'limit' problem" $? "$(grep -o '"problems.*' "$tmp/out")"
[ $rc -eq 3 ]; check "--max-reports hit: exit 3" $? "rc=$rc"
"$kt" analyze --format jsonl --max-reports 10 --fail-on crash "$tmp/30.log" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ]; check "--fail-on crash: exit 1 although a cap was hit" $? "rc=$rc"
for i in $(seq 1500); do cat "$seed"; done > "$tmp/1500.log"
"$kt" analyze --format jsonl --no-rules "$tmp/1500.log" > "$tmp/out" 2>/dev/null; rc=$?
q 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); sys.exit(0 if len(d["reports"])==1000 and "500 more" in d["problems"][0]["message"] else 1)'
check "1,500 crashes: 1,000 reported (the default) and '500 more' said, exit $rc" $? "$(grep -o '"problems.*' "$tmp/out")"
"$kt" analyze --format jsonl --no-rules --max-reports 2000 "$tmp/1500.log" > "$tmp/out" 2>/dev/null; rc=$?
q 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); sys.exit(0 if len(d["reports"])==1500 and "problems" not in d else 1)'
check "1,500 crashes with --max-reports 2000: all 1,500, exit 1" $? "rc=$rc"
rm -f "$tmp/1500.log"
"$kt" analyze --format jsonl --max-members 2 "$tmp/f" > "$tmp/out" 2>/dev/null; rc=$?
grep -q '"limit"' "$tmp/out" && grep -q -- '--max-members 2' "$tmp/out" && ! grep -q 'KT_MAX' "$tmp/out"
check "--max-members 2: a 'limit' problem naming the option, no internal constant" $? "$(cat "$tmp/out")"

# 9. 100,000 tiny members in a tar.gz: memory stays bounded
python3 - "$tmp/many.tar.gz" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    data = b"[    1.000000] eth0: link up\n"
    for i in range(100000):
        ti = tarfile.TarInfo("logs/%06d.log" % i)
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
PY
# (under ASan, freed memory sits in its quarantine: keep that small)
python3 - "$kt" "$tmp/many.tar.gz" "$tmp/rss" <<'PY'
import os, resource, subprocess, sys
a = os.environ.get("ASAN_OPTIONS", "")
os.environ["ASAN_OPTIONS"] = (a + ":" if a else "") + "quarantine_size_mb=16"
p = subprocess.run([sys.argv[1], "analyze", "--format", "jsonl", "--max-members", "200000",
                    sys.argv[2]], capture_output=True, text=True, timeout=600)
n = sum(1 for l in p.stdout.splitlines() if l.startswith("{"))
open(sys.argv[3], "w").write("%d %d %d" % (p.returncode,
    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, n))
PY
read rc rss units < "$tmp/rss"
[ "$rc" -eq 0 ] && [ "$units" -eq 100000 ] && [ "$rss" -lt 120000 ]
check "100,000-member tar.gz: all read, exit 0, peak RSS ${rss} KiB < 120 MB" $? "rc=$rc units=$units rss=$rss"

# 10. options naming files: missing or garbage fail fast
: > "$tmp/empty"
for o in --vmlinux --system-map; do
	"$kt" analyze $o "$tmp/nothing" "$seed" >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && grep -q nothing "$tmp/err"; check "$o missing file: exit 2 with a message" $? "rc=$rc $(cat "$tmp/err")"
	head -c 5000 /dev/urandom > "$tmp/garbage"
	"$kt" analyze $o "$tmp/garbage" "$seed" >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && grep -q garbage "$tmp/err"; check "$o garbage: exit 2 with a message" $? "rc=$rc $(cat "$tmp/err")"
done
for o in --modules --data; do
	"$kt" analyze $o "$tmp/nothing" "$seed" >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && grep -q nothing "$tmp/err"; check "$o missing directory: exit 2 with a message" $? "rc=$rc $(cat "$tmp/err")"
done

# 11. output write errors: exit 3 with a message
if [ -w /dev/full ]; then
	"$kt" analyze "$seed" > /dev/full 2>"$tmp/err"; rc=$?
	[ $rc -eq 3 ] && grep -q "writing standard output" "$tmp/err"; check "analyze > /dev/full: exit 3, message" $? "rc=$rc $(cat "$tmp/err")"
	"$kt" rules list > /dev/full 2>"$tmp/err"; rc=$?
	[ $rc -eq 3 ] && grep -q "writing standard output" "$tmp/err"; check "rules list > /dev/full: exit 3, message" $? "rc=$rc"
	"$kt" net audit --help > /dev/full 2>"$tmp/err"; rc=$?
	[ $rc -eq 3 ]; check "net audit --help > /dev/full: exit 3" $? "rc=$rc"
fi

# 12. empty directory and dot-files only: said, exit 0
mkdir "$tmp/empty-dir" "$tmp/dots"; : > "$tmp/dots/.x"
out=$("$kt" analyze "$tmp/empty-dir" 2>&1); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "empty"; check "empty directory: said so, exit 0" $? "rc=$rc $out"
out=$("$kt" analyze "$tmp/dots" 2>&1); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "hidden"; check "only dot-files: said so, exit 0" $? "rc=$rc $out"

# 13. a crash folder whose dom0 ring was lost: the crash from xen.log's
#     guest state (panic -> kexec with memcpy/skb_copy_bits/ip_fragment)
mkdir "$tmp/xenonly" "$tmp/xencut"
cp "$ex/xen.log" "$tmp/xenonly/"
cp "$ex/xen.log" "$tmp/xencut/"
printf '[2637000.000000] eth2: link up\n[2637001.000000] device vif3.0 entered promiscuous mode\n' > "$tmp/xencut/dom0.log"
for d in xenonly xencut; do
	"$kt" analyze --format jsonl "$tmp/$d" > "$tmp/out" 2>/dev/null; rc=$?
	q 'import json,sys
d=json.loads(open(sys.argv[1]).readline()); r=d["reports"][0]
fr=[f["function"] for f in r["frames"]]
sys.exit(0 if r["source"]["format"]=="xen-guest-state" and "ip_fragment" in fr and r["kind"]=="paging-request" and any("rebuilt from xen.log" in n["message"] for n in r["notes"]) else 1)'
	check "$d: the crash rebuilt from xen.log's guest state, marked as such (exit $rc)" $? "$(head -c 400 "$tmp/out")"
	[ $rc -eq 1 ]; check "$d: exit 1" $? "rc=$rc"
done

tap_done
