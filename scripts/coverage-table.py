#!/usr/bin/env python3
"""Per-module coverage table for make coverage (scripts/coverage.sh).

Usage: coverage-table.py SUMMARY.json [--markdown OUT.md]

Reads gcovr's --json-summary (one entry per source file: line_total, line_covered,
branch_total, branch_covered) and prints one row per module, the folder directly under
src/ (a file directly in src/, such as main.cpp, is its own row), then the total over src/. --markdown also writes the
same table as Markdown (docs/coverage.md embeds it).
"""
import json
import sys
from collections import defaultdict


def percent(covered, total):
    return f"{100.0 * covered / total:5.1f} %" if total else "    - "


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        summary = json.load(f)
    modules = defaultdict(lambda: [0, 0, 0, 0])  # lines covered, total, branches covered, total
    for entry in summary["files"]:
        name = entry["filename"]
        if not name.startswith("src/"):
            continue
        parts = name.split("/")
        module = parts[1] if len(parts) > 2 else parts[1]  # a file directly in src/: itself
        row = modules[module]
        row[0] += entry["line_covered"]
        row[1] += entry["line_total"]
        row[2] += entry["branch_covered"]
        row[3] += entry["branch_total"]
    total = [sum(r[i] for r in modules.values()) for i in range(4)]
    rows = [(f"src/{m}", r) for m, r in sorted(modules.items())] + [("src/ (total)", total)]
    header = ("module", "lines", "line cov.", "branches", "branch cov.")
    text = [f"{header[0]:<18} {header[1]:>12} {header[2]:>10} {header[3]:>12} {header[4]:>11}"]
    md = ["| " + " | ".join(header) + " |", "|---|---:|---:|---:|---:|"]
    for name, r in rows:
        lines, branches = f"{r[0]}/{r[1]}", f"{r[2]}/{r[3]}"
        text.append(f"{name:<18} {lines:>12} {percent(r[0], r[1]):>10} {branches:>12} {percent(r[2], r[3]):>11}")
        bold = "**" if name.endswith("(total)") else ""
        md.append(f"| {bold}{name}{bold} | {lines} | {percent(r[0], r[1]).strip()} | {branches} | "
                  f"{percent(r[2], r[3]).strip()} |")
    print("\n".join(text))
    if len(argv) >= 4 and argv[2] == "--markdown":
        with open(argv[3], "w", encoding="utf-8") as f:
            f.write("\n".join(md) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
