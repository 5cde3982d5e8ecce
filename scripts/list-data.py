#!/usr/bin/env python3
"""List the files under data/ that are embedded into libktriage (one per line)."""
import os, sys
root = sys.argv[1]
out = []
for d, dirs, files in os.walk(root):
    dirs.sort()
    for f in sorted(files):
        if f == "meson.build" or f.startswith("."):
            continue
        out.append(os.path.relpath(os.path.join(d, f), root))
print("\n".join(out))
