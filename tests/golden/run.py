#!/usr/bin/env python3
"""Golden tests: run the full pipeline on real inputs and diff against the
expected output. Speaks TAP.

  run.py KTRIAGE GOLDEN_DIR [--update] [CASE...]

Case layouts under GOLDEN_DIR:
  <case>/input            a log file or a crash folder (any name starting
                          with 'input'), analysed from inside <case>/ so
                          paths in the output are relative and stable
  <case>/args             optional extra arguments for 'ktriage analyze'
  <case>/expected.json    'analyze --format json' output
  <case>/expected.txt     'analyze --format text --color never' output
  <case>/same-as          optional: name of another case whose title and
                          bucket this case must share (same crash, other format)
  rules/<rule-id>/fire.log  must produce a finding of <rule-id>
  rules/<rule-id>/miss.log  must not (a near miss)

--update rewrites expected.* from the current output for review (git diff).
"""
import json, os, subprocess, sys

def run(ktriage, cwd, args):
    p = subprocess.run([ktriage, "analyze"] + args, cwd=cwd, capture_output=True,
                       text=True, errors="replace", timeout=120)
    return p.returncode, p.stdout, p.stderr

def inputs_of(case_dir):
    return sorted(n for n in os.listdir(case_dir) if n.startswith("input"))

def first_report(out):
    doc = json.loads(out)
    for inp in doc.get("inputs", []):
        for r in inp.get("reports", []):
            return r
    return None

def main():
    ktriage, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    update = "--update" in sys.argv[3:]
    only = [a for a in sys.argv[3:] if not a.startswith("--")]
    results = []  # (ok, name, detail)

    cases = sorted(d for d in os.listdir(root)
                   if os.path.isdir(os.path.join(root, d)) and d != "rules")
    firsts = {}
    for case in cases:
        if only and case not in only:
            continue
        cdir = os.path.join(root, case)
        ins = inputs_of(cdir)
        if not ins:
            continue
        extra = []
        if os.path.exists(os.path.join(cdir, "args")):
            extra = open(os.path.join(cdir, "args")).read().split()
        for fmt, fname, args in (("json", "expected.json", ["--format", "json"]),
                                 ("text", "expected.txt", ["--format", "text", "--color", "never"])):
            rc, out, err = run(ktriage, cdir, args + extra + ins)
            if rc not in (0, 1):
                results.append((False, f"{case} {fmt}", f"exit {rc}: {err.strip()[:500]}"))
                continue
            if fmt == "json":
                try:
                    firsts[case] = first_report(out)
                except json.JSONDecodeError as e:
                    results.append((False, f"{case} {fmt}", f"invalid JSON: {e}"))
                    continue
            path = os.path.join(cdir, fname)
            if update:
                with open(path, "w") as f:
                    f.write(out)
                results.append((True, f"{case} {fmt}", "updated"))
                continue
            want = open(path).read() if os.path.exists(path) else None
            if want is None:
                results.append((False, f"{case} {fmt}", f"no {fname} (run with --update)"))
            elif want != out:
                diff = subprocess.run(["diff", "-u", path, "-"], input=out, text=True,
                                      capture_output=True).stdout
                results.append((False, f"{case} {fmt}", diff[:3000]))
            else:
                results.append((True, f"{case} {fmt}", ""))
    for case in cases:
        same = os.path.join(root, case, "same-as")
        if not os.path.exists(same) or case not in firsts:
            continue
        other = open(same).read().strip()
        a, b = firsts.get(case), firsts.get(other)
        ok = bool(a and b and a.get("title") == b.get("title") and a.get("bucket") == b.get("bucket"))
        detail = "" if ok else f"{case}: {a and (a.get('title'), a.get('bucket'))} vs {other}: {b and (b.get('title'), b.get('bucket'))}"
        results.append((ok, f"{case} same title and bucket as {other}", detail))

    rules_root = os.path.join(root, "rules")
    if os.path.isdir(rules_root):
        for rule in sorted(os.listdir(rules_root)):
            if only and rule not in only:
                continue
            rdir = os.path.join(rules_root, rule)
            for fname, want in (("fire.log", True), ("miss.log", False)):
                if not os.path.exists(os.path.join(rdir, fname)):
                    results.append((False, f"rule {rule} {fname}", "missing"))
                    continue
                extra = []
                hf = os.path.join(rdir, fname[:-4] + ".facts.json")
                if os.path.exists(hf):
                    extra = ["--host-facts", os.path.basename(hf)]
                rc, out, err = run(ktriage, rdir, ["--format", "json"] + extra + [fname])
                try:
                    doc = json.loads(out)
                except json.JSONDecodeError:
                    results.append((False, f"rule {rule} {fname}", f"exit {rc}: {err[:300]}"))
                    continue
                got = {f.get("rule") for i in doc.get("inputs", [])
                       for r in i.get("reports", []) for f in r.get("findings", [])}
                ok = (rule in got) == want
                results.append((ok, f"rule {rule} {'fires on' if want else 'stays silent on'} {fname}",
                                "" if ok else f"findings: {sorted(x for x in got if x)}"))

    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok and detail:
            for line in detail.splitlines():
                print(f"# {line}")
    return 0 if all(ok for ok, _, _ in results) else 1

sys.exit(main())
