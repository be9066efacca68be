#!/usr/bin/env python3
"""Benchmark: what a converge costs. Cold converge and no-change re-run of site.yml against a baseline, on fresh
sandbox containers of the project's Debian 12 image, with 3 and with 7 servers.

  zkforge  - site.yml (java and zookeeper roles: validation, checksum, gate, firewall, hardening, the roll)
  zkforge-nofirewall - the same with zookeeper_firewall_backend: none (optional: what the host firewall costs)
  baseline - benchmarks/baseline/converge.yml: the same java role, then only download, unpack, zoo.cfg, myid, a
             unit and start (the floor of any converge)

Both run with the same controller settings (this repository's ansible.cfg: pipelining on, the Python interpreter
named in the inventory) against the same local release mirror (Debian's ZooKeeper builds repackaged in Apache's
layout by tests/fixtures/build_artifacts.py). Every converge gets fresh containers. Per-task durations come
from the ansible.posix.json callback and are summed per phase (the task name's prefix, e.g. "Preflight").
Prints a table and writes build/reports/converge-benchmark.json. Figures, not assertions.

Usage: .venv/bin/python benchmarks/converge_benchmark.py [--sizes 3,7] [--rounds 2] [--strategies zkforge,baseline[,zkforge-nofirewall]]
"""
import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CACHE = Path(os.environ.get("ZKFORGE_CACHE", Path.home() / ".cache/zkforge"))
NETWORK = "zkforge-bench"
MIRROR = "zkbench-mirror"
IMAGE = "zkforge/debian:bookworm"
SYSTEMD = ["--cgroupns=host", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--tmpfs", "/run", "--tmpfs", "/run/lock",
           "--tmpfs", "/tmp", "--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN", "--cap-add", "NET_RAW",
           "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined"]
PLAYBOOKS = {"zkforge": ROOT / "site.yml", "zkforge-nofirewall": ROOT / "site.yml",
             "baseline": ROOT / "benchmarks/baseline/converge.yml"}
# What the strategy adds to the inventory's group vars: zkforge without the host firewall (ufw installed, rules,
# enabled) shows how much of the difference to the baseline the firewall is.
EXTRA_VARS = {"zkforge-nofirewall": {"zookeeper_firewall_backend": "none"}}


def _docker(*args, check=True):
    return subprocess.run(["docker", *args], check=check, capture_output=True, text=True)


def _servers(size):
    return ["zkbench-%d" % i for i in range(1, size + 1)]


def _up(size):
    if _docker("network", "inspect", NETWORK, check=False).returncode != 0:
        _docker("network", "create", NETWORK)
    if _docker("container", "inspect", MIRROR, check=False).returncode != 0:
        _docker("run", "-d", "--name", MIRROR, "--hostname", MIRROR, "--network", NETWORK, *SYSTEMD,
                "-v", "%s/mirror:/srv/mirror:ro" % CACHE, IMAGE, "/sbin/init")
        _docker("exec", "-d", MIRROR, "python3", "-m", "http.server", "8000", "--directory", "/srv/mirror")
    for name in _servers(size):
        _docker("run", "-d", "--name", name, "--hostname", name, "--network", NETWORK, *SYSTEMD, IMAGE, "/sbin/init")
    for name in _servers(size):  # systemd up before the first task
        for _ in range(100):
            state = _docker("exec", name, "systemctl", "is-system-running", check=False).stdout.strip()
            if state in ("running", "degraded"):
                break
            time.sleep(0.2)


def _down(size, mirror=False):
    names = _servers(size) + ([MIRROR] if mirror else [])
    _docker("rm", "-f", *names, check=False)


def _inventory(size, directory, strategy):
    hosts = {name: {"zookeeper_id": i} for i, name in enumerate(_servers(size), 1)}
    inventory = {"all": {"vars": {"ansible_connection": "community.docker.docker",
                                  "ansible_python_interpreter": "/usr/bin/python3"},
                         "children": {"zookeeper": {"hosts": hosts, "vars": {
                             "zookeeper_version": "3.8.0", "zookeeper_heap_size": "256m",
                             "zookeeper_mirror": "http://%s:8000/zookeeper" % MIRROR,
                             **EXTRA_VARS.get(strategy, {})}}}}}
    path = Path(directory) / ("inventory-%s-%d.json" % (strategy, size))
    path.write_text(json.dumps(inventory))
    return path


def _cpu():
    """The machine's CPU time so far, busy and in all (seconds, every core; /proc/stat): the controller, the
    containers and Docker alike. A converge that keeps the cores busy cannot go faster by running hosts in
    parallel; its time then grows with the work, that is with the number of hosts."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


def _run(playbook, inventory):
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), PATH="%s:%s" % (BIN, os.environ["PATH"]),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_NOCOLOR="1")
    start, cpu_start = time.monotonic(), _cpu()
    proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)], env=env,
                          capture_output=True, text=True, cwd=ROOT)
    wall, cpu_end = time.monotonic() - start, _cpu()
    busy, total = cpu_end[0] - cpu_start[0], cpu_end[1] - cpu_start[1]
    try:
        report = json.loads(proc.stdout[proc.stdout.index("{"):])
    except ValueError:
        raise SystemExit("%s did not report JSON (rc %s): %s" % (playbook, proc.returncode, proc.stderr[-3000:]))
    if proc.returncode != 0:
        raise SystemExit("%s failed (rc %s): %s" % (playbook, proc.returncode, proc.stderr[-3000:]))
    phases, tasks, changed_tasks, slowest = defaultdict(float), 0, [], []
    for play in report["plays"]:
        for task in play["tasks"]:
            if any(result.get("changed") for result in task["hosts"].values()):
                changed_tasks.append(task["task"]["name"])
            duration = task["task"].get("duration") or {}
            if not duration.get("start") or not duration.get("end"):
                continue
            seconds = (_time(duration["end"]) - _time(duration["start"])).total_seconds()
            name = re.sub(r"^[\w.]+ : ", "", task["task"]["name"])
            phases[name.split(" | ")[0] if " | " in name else "other"] += seconds
            slowest.append((round(seconds, 2), name))
            tasks += 1
    changed = sum(stats.get("changed", 0) for stats in report["stats"].values())
    return {"wall_s": round(wall, 2), "cpu_busy_s": round(busy, 1), "cpu_busy_pct": round(100 * busy / total, 1),
            "tasks": tasks, "changed": changed, "changed_tasks": changed_tasks,
            "phases_s": {k: round(v, 2) for k, v in sorted(phases.items(), key=lambda kv: -kv[1])},
            "slowest_tasks": sorted(slowest, reverse=True)[:15],
            "timeline": [[name, seconds] for seconds, name in slowest]}


SRVR = ("import socket; s = socket.create_connection(('127.0.0.1', 2181), 2); s.sendall(b'srvr'); "
        "print([l for l in s.recv(4096).decode().splitlines() if l.startswith('Mode')] or ['not serving'])")


def _modes(size):
    """Each server's mode after a converge, asked inside its container: a converge that leaves no ensemble
    does not count."""
    return {name: _docker("exec", name, "python3", "-c", SRVR, check=False).stdout.strip() or "unreachable"
            for name in _servers(size)}


def _time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def measure(strategy, size, directory):
    _down(size)
    _up(size)
    try:
        inventory = _inventory(size, directory, strategy)
        cold = _run(PLAYBOOKS[strategy], inventory)
        cold["modes"] = _modes(size)
        rerun = _run(PLAYBOOKS[strategy], inventory)
        rerun["modes"] = _modes(size)
    finally:
        _down(size)
    return {"strategy": strategy, "servers": size, "cold": cold, "rerun": rerun}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="3,7")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--strategies", default="zkforge,baseline")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as directory:
        try:
            for round_ in range(1, args.rounds + 1):
                for size in sizes:
                    for strategy in args.strategies.split(","):
                        result = measure(strategy, size, directory)
                        result["round"] = round_
                        results.append(result)
                        print("round %d %-8s %d servers: cold %6.1fs (%d tasks, %d changed, CPU busy %.0f%%, %.0f "
                              "CPU-s), re-run %6.1fs (%d tasks, %d changed, CPU busy %.0f%%)"
                              % (round_, strategy, size, result["cold"]["wall_s"], result["cold"]["tasks"],
                                 result["cold"]["changed"], result["cold"]["cpu_busy_pct"],
                                 result["cold"]["cpu_busy_s"], result["rerun"]["wall_s"], result["rerun"]["tasks"],
                                 result["rerun"]["changed"], result["rerun"]["cpu_busy_pct"]), flush=True)
                        print("    modes after: %s; changed in the re-run: %s"
                              % (result["rerun"]["modes"], result["rerun"]["changed_tasks"] or "nothing"), flush=True)
                        for run in ("cold", "rerun"):
                            print("    %s phases: %s" % (run, ", ".join(
                                "%s %.1fs" % item for item in result[run]["phases_s"].items())), flush=True)
                        print("    re-run's slowest tasks: %s" % ", ".join(
                            "%s %.1fs" % (name, seconds) for seconds, name in result["rerun"]["slowest_tasks"][:8]),
                              flush=True)
        finally:
            _down(max(sizes), mirror=True)
            _docker("network", "rm", NETWORK, check=False)
    summary = {}
    for size in sizes:
        for strategy in args.strategies.split(","):
            mine = [r for r in results if r["servers"] == size and r["strategy"] == strategy]
            summary["%s-%d" % (strategy, size)] = {
                "cold_s": statistics.median(r["cold"]["wall_s"] for r in mine),
                "rerun_s": statistics.median(r["rerun"]["wall_s"] for r in mine),
                "rerun_changed": max(r["rerun"]["changed"] for r in mine),
                "cold_cpu_s": statistics.median(r["cold"]["cpu_busy_s"] for r in mine),
                "cold_cpu_busy_pct": statistics.median(r["cold"]["cpu_busy_pct"] for r in mine)}
    print("\nmedians | cold s | re-run s | re-run changed | cold CPU-s | cold CPU busy")
    for key, row in summary.items():
        print("%s | %.1f | %.1f | %d | %.0f | %.0f%%" % (key, row["cold_s"], row["rerun_s"], row["rerun_changed"],
                                                       row["cold_cpu_s"], row["cold_cpu_busy_pct"]))
    ratios = {}
    for size in sizes:
        floor = summary.get("baseline-%d" % size)
        for strategy in ("zkforge", "zkforge-nofirewall"):
            ours = summary.get("%s-%d" % (strategy, size))
            if ours and floor:
                ratios["%s/baseline %d servers" % (strategy, size)] = {
                    "cold": round(ours["cold_s"] / floor["cold_s"], 2), "rerun": round(ours["rerun_s"] / floor["rerun_s"], 2)}
    if len(sizes) == 2:
        for strategy in args.strategies.split(","):
            small, big = summary["%s-%d" % (strategy, sizes[0])], summary["%s-%d" % (strategy, sizes[1])]
            ratios["%s %d/%d servers" % (strategy, sizes[1], sizes[0])] = {
                "cold": round(big["cold_s"] / small["cold_s"], 2), "rerun": round(big["rerun_s"] / small["rerun_s"], 2)}
    print("\nratios (cold, re-run)")
    for key, row in ratios.items():
        print("%s: %.2f, %.2f" % (key, row["cold"], row["rerun"]))
    reports = ROOT / "build/reports"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "converge-benchmark.json").write_text(json.dumps(
        {"results": results, "medians": summary, "ratios": ratios}, indent=2) + "\n")
    print("\nwritten: %s" % (reports / "converge-benchmark.json"))


if __name__ == "__main__":
    main()
