#!/usr/bin/env python3
"""Summarise a meson test log as 'N passed, N failed, N skipped'.

  test-summary.py BUILDDIR [LABEL]

TAP tests count one per 'ok'/'not ok' line (a '# SKIP' directive counts as
skipped); other tests count one each by their result. A TAP test that
crashed or exited non-zero after its plan counts one more failure, so a
crash can never hide behind passing subtests. Exit status 1 when anything
failed.
"""
import json, os, re, sys

def main():
    build = sys.argv[1]
    label = sys.argv[2] if len(sys.argv) > 2 else ""
    path = os.path.join(build, "meson-logs", "testlog.json")
    passed = failed = skipped = 0
    failures = []
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            out = t.get("stdout") or ""
            result = t.get("result", "")
            tap = re.findall(r"^(not ok|ok)\b(.*)$", out, re.M)
            if tap:
                for status, rest in tap:
                    if re.search(r"#\s*SKIP", rest, re.I):
                        skipped += 1
                    elif status == "ok":
                        passed += 1
                    else:
                        failed += 1
                        failures.append(f"{t['name']}: not ok{rest}")
                if result not in ("OK", "EXPECTEDFAIL", "SKIP") and not any(s == "not ok" for s, _ in tap):
                    failed += 1
                    failures.append(f"{t['name']}: {result} (exit {t.get('returncode')})")
            elif result == "SKIP":
                skipped += 1
            elif result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            else:
                failed += 1
                failures.append(f"{t['name']}: {result} (exit {t.get('returncode')})")
    for f in failures[:50]:
        print(f"FAILED {label}{': ' if label else ''}{f}")
    print(f"{label}{': ' if label else ''}{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0

sys.exit(main())
