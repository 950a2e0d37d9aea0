#!/usr/bin/env python3
# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The side-by-side table of `make test-core` (tools/test_core.sh): reads the
runs' logs and runs.txt in the folder given and prints, per module, the tests
and the time of its tests without and with the addon (medians over the runs),
the Odoo process' CPU time and the SQL queries of the tests (both weigh less
with the machine's load than the wall clock), the failures and errors and the
ratios per interleaved pair, and the tests whose result differs."""

import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
STATS = re.compile(r"odoo\.tests\.stats: (\S+): (\d+) tests ([\d.]+)s (\d+) queries")
PROBLEM = re.compile(r" (FAIL|ERROR): (\w+\.\w+)")


def parse(path):
    text = path.read_text(errors="replace")
    result = RESULT.findall(text)
    failed, errors, tests = map(int, result[-1]) if result else (None, None, None)
    modules = {}
    for module, count, seconds, queries in STATS.findall(text):
        modules[module] = (int(count), float(seconds), int(queries))
    problems = sorted({f"{kind}: {test}" for kind, test in PROBLEM.findall(text)})
    return {
        "failed": failed,
        "errors": errors,
        "tests": tests,
        "modules": modules,
        "problems": problems,
    }


def main(folder):
    folder = Path(folder)
    runs = defaultdict(dict)
    for line in (folder / "runs.txt").read_text().splitlines():
        side, rep, start, end, load_before, load_after = line.split()
        info = parse(folder / f"{side}-{rep}.log")
        info.update(
            wall=float(end) - float(start),
            load=f"{load_before}->{load_after}",
        )
        cpu = folder / f"{side}-{rep}.cpu"
        info["cpu"] = float(cpu.read_text()) if cpu.exists() else None
        runs[side][int(rep)] = info
    without, with_ = runs["without"], runs["with"]
    if not without or not with_:
        sys.exit("test_core_table: no run on one side yet: nothing to compare")
    modules = sorted(
        {m for side in runs.values() for run in side.values() for m in run["modules"]}
    )

    def med(side, module):
        values = [
            r["modules"][module][1] for r in side.values() if module in r["modules"]
        ]
        return statistics.median(values) if values else float("nan")

    def queries(side, module):
        values = [
            r["modules"][module][2] for r in side.values() if module in r["modules"]
        ]
        return statistics.median(values) if values else float("nan")

    def tests(side, module):
        counts = {r["modules"].get(module, (0,))[0] for r in side.values()}
        return "/".join(str(c) for c in sorted(counts))

    out = []
    out.append(
        f"{'module':<18}{'tests w/o':>10}{'with':>7}"
        f"{'time w/o':>11}{'with':>9}{'ratio':>7}"
    )
    total_without = total_with = 0.0
    for module in modules:
        a, b = med(without, module), med(with_, module)
        total_without += a
        total_with += b
        out.append(
            f"{module:<18}{tests(without, module):>10}{tests(with_, module):>7}"
            f"{a:>10.1f}s{b:>8.1f}s{b / a:>7.2f}"
        )
    out.append(
        f"{'tests, total':<18}{'':>10}{'':>7}{total_without:>10.1f}s"
        f"{total_with:>8.1f}s{total_with / total_without:>7.2f}"
    )
    wall_a = statistics.median(r["wall"] for r in without.values())
    wall_b = statistics.median(r["wall"] for r in with_.values())
    out.append(
        f"{'run (wall clock)':<18}{'':>10}{'':>7}{wall_a:>10.1f}s{wall_b:>8.1f}s"
        f"{wall_b / wall_a:>7.2f}"
    )
    cpu_a = [r["cpu"] for r in without.values() if r["cpu"]]
    cpu_b = [r["cpu"] for r in with_.values() if r["cpu"]]
    if cpu_a and cpu_b:
        ca, cb = statistics.median(cpu_a), statistics.median(cpu_b)
        out.append(f"{'Odoo CPU (u+s)':<35}{ca:>10.1f}s{cb:>8.1f}s{cb / ca:>7.2f}")
    out.append("")
    out.append("SQL queries of the tests (load-independent), medians:")
    for module in modules:
        a, b = queries(without, module), queries(with_, module)
        out.append(f"  {module:<16}{a:>10.0f}{b:>10.0f}{b / a:>7.2f}")
    out.append("")
    out.append("results (failed, errors of tests) and pairs, in the order run:")
    for rep in sorted(set(without) & set(with_)):
        a, b = without[rep], with_[rep]
        ta = sum(m[1] for m in a["modules"].values())
        tb = sum(m[1] for m in b["modules"].values())
        out.append(
            f"  pair {rep}: without {a['failed']}+{a['errors']} of {a['tests']}, "
            f"{ta:.0f}s (load {a['load']}); with {b['failed']}+{b['errors']} of "
            f"{b['tests']}, {tb:.0f}s (load {b['load']}); ratio {tb / ta:.2f}"
        )
    ratios = [
        sum(m[1] for m in with_[rep]["modules"].values())
        / sum(m[1] for m in without[rep]["modules"].values())
        for rep in sorted(set(without) & set(with_))
    ]
    if ratios:
        overall = total_with / total_without
        spread = f"per pair min {min(ratios):.2f}, max {max(ratios):.2f}"
        out.append(f"  ratio with/without: median of medians {overall:.2f}; {spread}")
    out.append("")
    only_with = sorted(
        set().union(*(r["problems"] for r in with_.values()))
        - set().union(*(r["problems"] for r in without.values()))
    )
    only_without = sorted(
        set().union(*(r["problems"] for r in without.values()))
        - set().union(*(r["problems"] for r in with_.values()))
    )
    both = sorted(
        set().union(*(r["problems"] for r in with_.values()))
        & set().union(*(r["problems"] for r in without.values()))
    )
    out.append(f"failing only with the addon ({len(only_with)}):")
    out.extend(f"  {p}" for p in only_with)
    out.append(f"failing only without the addon ({len(only_without)}):")
    out.extend(f"  {p}" for p in only_without)
    out.append(f"failing on both ({len(both)}):")
    out.extend(f"  {p}" for p in both)
    print("\n".join(out))  # pylint: disable=print-used


if __name__ == "__main__":
    main(sys.argv[1])
