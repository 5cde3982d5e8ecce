#!/usr/bin/env python3
"""Check that `ktriage scan` finds exactly the crashes `ktriage analyze`
finds (file, header line, title) on the given paths.
Usage: bench/agree.py KTRIAGE PATH...   Exit 0 when they agree."""
import json, subprocess, sys
from collections import Counter

def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return p.stdout.decode('utf-8', 'replace').splitlines()

def main():
    exe, paths = sys.argv[1], sys.argv[2:]
    a, s = Counter(), Counter()
    for line in run([exe, 'analyze', '--no-rules', '-q', '--format', 'jsonl'] + paths):
        for r in json.loads(line).get('reports', []):
            src = r.get('source', {})
            a[(src.get('file'), src.get('first_line'), r.get('title'))] += 1
    for line in run([exe, 'scan', '-q', '--no-progress', '--format', 'jsonl'] + paths):
        r = json.loads(line)
        s[(r['file'], r['line'], r['title'])] += 1
    only_a, only_s = a - s, s - a
    for k in sorted(only_a, key=str)[:20]:
        print('analyze only:', k)
    for k in sorted(only_s, key=str)[:20]:
        print('scan only:   ', k)
    print('analyze %d crashes, scan %d, differences %d' %
          (sum(a.values()), sum(s.values()), sum(only_a.values()) + sum(only_s.values())))
    return 1 if only_a or only_s else 0

sys.exit(main())
