#!/usr/bin/env python3
"""Split a load report (tests/load/zkload.py) into the steps of a multi-roll change, one step per leader change.

Every gated roll restarts the leader last, so each roll of a change ends with exactly one leader change: step k
runs from the previous leader change (or the start of the load) to the k-th. For each step: its wall time, the
elections in it (1 by construction; more would show as extra steps), the longest write gap and the failed
operations (gaps under 0.25 s are not recorded and count as 0). What follows the last leader change (the play's
final checks) is reported as `after`.
Usage: roll_steps.py REPORT.json [NAMES...] (names for the steps, in order)."""
import json
import sys


def split(report, names=()):
    # A leader change shows in the timeline as the old leader gone (None), then the new one: a step ends when its
    # new leader is there (the write gap of the election falls inside it).
    changes = [entry["t"] for entry in report["leader_timeline"][1:] if entry["leader"] is not None]
    bounds = [0.0] + changes + [report["duration_s"]]
    steps = []
    for k, (begin, end) in enumerate(zip(bounds, bounds[1:])):
        gaps = [g["s"] for g in report.get("write_gaps", []) if begin <= g["t"] < end]
        failed = [f for f in report.get("failures", []) if begin <= f["t"] < end]
        steps.append({
            "step": names[k] if k < len(names) else ("after" if k == len(changes) else "step %d" % (k + 1)),
            "from_s": round(begin, 3),
            "to_s": round(end, 3),
            "wall_time_s": round(end - begin, 3),
            "leader_elections": 1 if k < len(changes) else 0,
            "longest_write_gap_s": max(gaps) if gaps else 0.0,
            "failed_operations": len(failed),
        })
    return steps


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        print(json.dumps(split(json.load(handle), sys.argv[2:]), indent=2))
