#!/usr/bin/env python3
"""Benchmark: four ways to restart every server of a 3-server ensemble under the same client load.

  naive   - what common roles do: inventory order, `serial: 1`, restart, wait for the client port to open
            (benchmarks/naive_roll.yml)
  gated   - this collection's roll, playbooks/rolling_restart.yml, with the leader restarted as before the
            hand-off existed (zookeeper_roll_leader_handoff=false): the others elect a new leader
  handoff - the same roll as it runs by default on a dynamic ensemble: the leader is made an observer first, so
            that ZooKeeper's designated successor takes over without an election, and gets its vote back after
            its restart
  bare    - a bare scripted gated roll with no Ansible: followers first, the leader last, each restart followed by
            polling until the leader counts it as synced (the lower bound of wall time for a gated roll)

Each runs against the sandbox ensemble (tests/fixtures/sandbox-up.sh: three Debian 12 containers converged by
site.yml) while tests/load/zkload.py writes ~100 writes/s. Prints a table and writes
build/reports/roll-benchmark.json. Figures, not assertions: this is a measurement, not a test.

Usage: .venv/bin/python benchmarks/roll_benchmark.py [--rate 100] [--rounds 1]
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "collections"))
from ansible_collections.zkforge.zookeeper.plugins.module_utils import client, ensemble  # noqa: E402

HOSTS = ["zk-sandbox-1", "zk-sandbox-2", "zk-sandbox-3"]
BIN = Path(sys.executable).parent


def _ip(container):
    return subprocess.run(["docker", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                           container], check=True, capture_output=True, text=True).stdout.strip()


def _ensemble(addresses):
    infos = [client.server_info(a, {"connect_timeout": 1, "method": "fourlw"}) for a in addresses]
    return infos, ensemble.ensemble_summary(infos, expected_voters=len(addresses))


def _wait_healthy(addresses, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if _ensemble(addresses)[1]["healthy"]:
            return
        time.sleep(0.2)
    raise SystemExit("the sandbox ensemble did not become healthy: %s" % _ensemble(addresses)[1]["problems"])


REPORTS = ROOT / "build/reports"


def _reset_load_data(addresses):
    """Every roll restarts servers holding the same data: drop what earlier load runs left (zkload --cleanup keeps
    it from growing during the benchmark)."""
    from kazoo.client import KazooClient
    client = KazooClient(hosts=",".join(addresses))
    client.start(timeout=30)
    try:
        if client.exists("/zkforge-load"):
            client.delete("/zkforge-load", recursive=True)
    finally:
        client.stop()


def _ansible(playbook, *extra):
    """Run a playbook against the sandbox; its output, with per-task times, goes to build/reports/."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), PATH="%s:%s" % (BIN, os.environ["PATH"]),
               ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks", ANSIBLE_NOCOLOR="1")
    REPORTS.mkdir(parents=True, exist_ok=True)
    with open(REPORTS / ("roll-benchmark-%s.log" % Path(playbook).stem), "a") as log:
        subprocess.run([str(BIN / "ansible-playbook"), "-i", str(ROOT / "inventories/sandbox"), str(playbook)] + list(extra),
                       cwd=ROOT, env=env, check=True, stdout=log, stderr=subprocess.STDOUT)


HANDED_OVER = "not the designated leader anymore"


def _elections(since, until):
    """(elections, hand-offs) between two moments. Elections: how long each took, in ms, oldest first, as
    ZooKeeper itself timed it: the new leader logs "LEADING - LEADER ELECTION TOOK - N MS" when it takes over
    (from LOOKING until the votes settled, before syncing followers). A designated successor logs the same line
    (with the time since it last looked for a leader), within moments of the old leader's "...not the designated
    leader anymore" as it commits the reconfig that takes its vote: those are counted as hand-offs, not
    elections. The sandbox containers log in UTC, as the host's clock runs."""
    taking_over, handed = [], []
    for host in HOSTS:
        lines = subprocess.run(["docker", "exec", host, "sh", "-c",
                                "grep -h -e 'LEADING - LEADER ELECTION TOOK' -e '%s' /var/log/zookeeper/zookeeper.log*"
                                % HANDED_OVER], capture_output=True, text=True).stdout.splitlines()
        for line in lines:
            stamp = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            if not since <= stamp <= until:
                continue
            if HANDED_OVER in line:
                handed.append(stamp)
            else:
                taking_over.append((stamp, int(line.rsplit("-", 1)[1].split()[0])))
    elections = [ms for stamp, ms in sorted(taking_over) if not any(0 <= stamp - h <= 2 for h in handed)]
    return elections, len(handed)


def naive(addresses):
    _ansible(ROOT / "benchmarks/naive_roll.yml")


def gated(addresses):
    _ansible(ROOT / "playbooks/rolling_restart.yml", "-e", '{"zookeeper_roll_leader_handoff": false}')


def handoff(addresses):
    _ansible(ROOT / "playbooks/rolling_restart.yml")


def bare(addresses):
    host_of = dict(zip(addresses, HOSTS))
    infos, _ = _ensemble(addresses)
    order = [i["server"] for i in infos if i["mode"] != "leader"] + [i["server"] for i in infos if i["mode"] == "leader"]
    for server in order:
        subprocess.run(["docker", "exec", host_of[server], "systemctl", "restart", "zookeeper"], check=True)
        deadline = time.time() + 180
        while time.time() < deadline:
            infos, summary = _ensemble(addresses)
            target = next(i for i in infos if i["server"] == server)
            ok, _ = ensemble.synced(target, infos, summary)
            if ok and summary["healthy"]:
                break
            time.sleep(0.1)
        else:
            raise SystemExit("bare roll: %s did not sync" % server)


def measure(name, strategy, addresses, rate):
    with tempfile.TemporaryDirectory(prefix="zkforge-bench-") as tmp:
        tmp = Path(tmp)
        load = subprocess.Popen([sys.executable, str(ROOT / "tests/load/zkload.py"), "--servers", ",".join(addresses),
                                 "--rate", str(rate), "--cleanup", "--stop-file", str(tmp / "stop"), "--ready-file",
                                 str(tmp / "ready"), "--report", str(tmp / "report.json")],
                                stdout=subprocess.DEVNULL)
        deadline = time.time() + 60
        while not (tmp / "ready").exists():
            if time.time() > deadline or load.poll() is not None:
                raise SystemExit("the load generator did not start")
            time.sleep(0.1)
        time.sleep(2)  # a steady state before the roll
        leader = _ensemble(addresses)[1]["leader"]
        start = time.time()
        strategy(addresses)
        wall = time.time() - start
        time.sleep(3)  # writes after the roll, so a gap at its very end is measured
        elections, handoffs = _elections(start, time.time())
        (tmp / "stop").touch()
        load.wait(timeout=120)
        report = json.loads((tmp / "report.json").read_text())
    report["wall_time_s"] = round(wall, 2)
    # The roll's start and end on the load generator's clock (the t of failures, gaps and the leader timeline).
    report["roll_window"] = [round(start - report["started_at"], 3), round(start + wall - report["started_at"], 3)]
    # Which server led before the roll: the naive roll restarts it last only when it is last in inventory order.
    report["leader_before"] = dict(zip(addresses, HOSTS)).get(leader["server"]) if leader else None
    report["strategy"] = name
    report["zookeeper_elections_ms"] = elections
    report["handoffs"] = handoffs
    # The intervals in which no server was leader; the longest is one election measured in this run.
    intervals, since = [], None
    for point in report["leader_timeline"]:
        if point["leader"] is None and since is None:
            since = point["t"]
        elif point["leader"] is not None and since is not None:
            intervals.append((since, point["t"]))
            since = None
    report["leaderless_s"] = round(max(end - begin for begin, end in intervals), 3) if intervals else 0.0
    # The longest write gap that spans a leaderless interval: what an election cost the client. A longer gap
    # elsewhere (seen here with ZooKeeper 3.8.0: writes stalling ~3 s with no failure and no election, a few
    # seconds after a restarted server re-synced, in every kind of roll) is reported as it is in
    # longest_write_gap_s but is not an election's.
    spans = [g for g in report["longest_write_gaps"]
             if any(g["t"] <= end and g["t"] + g["s"] >= begin for begin, end in intervals)]
    report["election_write_gap_s"] = spans[0]["s"] if spans else None
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--order", default="naive,gated,handoff,bare",
                        help="strategies in the order each round runs them (which server leads before a roll depends"
                             " on the roll before it)")
    args = parser.parse_args()

    subprocess.run(["bash", str(ROOT / "tests/fixtures/sandbox-up.sh")], check=True, stdout=subprocess.DEVNULL)
    addresses = ["%s:2181" % _ip(h) for h in HOSTS]
    _reset_load_data(addresses)
    results = []
    for round_ in range(args.rounds):
        strategies = {"naive": naive, "gated": gated, "handoff": handoff, "bare": bare}
        for name in args.order.split(","):
            strategy = strategies[name]
            _wait_healthy(addresses)
            result = measure(name, strategy, addresses, args.rate)
            result["round"] = round_ + 1
            results.append(result)

    columns = ("strategy", "round", "leader_before", "leader_changes", "longest_write_gap_s", "election_write_gap_s",
               "leaderless_s", "zookeeper_elections_ms", "handoffs", "failed_operations", "lost_writes", "wall_time_s")
    print(" | ".join(columns))
    print(" | ".join("---" for _ in columns))
    for r in results:
        print(" | ".join(str(r[c]) for c in columns))
    # The targets for the gated roll, against the bare roll of the same round (exactly one election): leader
    # changes 1, longest write gap within 1.2x, 0 lost writes, wall time at most 2x.
    targets = []
    print()
    print("round | gated/bare wall time | gated/bare longest gap | gated/bare election gap | gated leader changes"
          " | gated lost writes | ZooKeeper's election ms, gated / bare")
    print("--- | --- | --- | --- | --- | --- | ---")
    for round_ in range(1, args.rounds + 1):
        by = {r["strategy"]: r for r in results if r["round"] == round_}
        if "gated" not in by or "bare" not in by:
            continue
        gated_, bare_ = by["gated"], by["bare"]
        target = dict(round=round_,
                      wall_ratio=round(gated_["wall_time_s"] / bare_["wall_time_s"], 2),
                      gap_ratio=round(gated_["longest_write_gap_s"] / bare_["longest_write_gap_s"], 2)
                      if bare_["longest_write_gap_s"] else None,
                      election_gap_ratio=round(gated_["election_write_gap_s"] / bare_["election_write_gap_s"], 2)
                      if gated_["election_write_gap_s"] and bare_["election_write_gap_s"] else None,
                      leader_changes=gated_["leader_changes"], lost_writes=gated_["lost_writes"],
                      elections_ms="%s / %s" % (",".join(map(str, gated_["zookeeper_elections_ms"])) or "-",
                                                ",".join(map(str, bare_["zookeeper_elections_ms"])) or "-"))
        targets.append(target)
        print(" | ".join(str(target[k]) for k in ("round", "wall_ratio", "gap_ratio", "election_gap_ratio",
                                                  "leader_changes", "lost_writes", "elections_ms")))
    # The hand-off's target, against the election of the same round (the gated roll without hand-off restarts
    # the leader with an election): the hand-off roll's longest write gap at most half of that election's write
    # gap, no election, no lost write.
    handoff_targets = []
    names = args.order.split(",")
    if "handoff" in names and "gated" in names:
        print()
        print("round | handoff longest gap | election gap (gated) | ratio | handoff elections | hand-offs"
              " | handoff lost writes | handoff wall time")
        print("--- | --- | --- | --- | --- | --- | --- | ---")
        for round_ in range(1, args.rounds + 1):
            by = {r["strategy"]: r for r in results if r["round"] == round_}
            moved, elected = by["handoff"], by["gated"]
            election = elected["election_write_gap_s"] or elected["longest_write_gap_s"]
            target = dict(round=round_, handoff_gap=moved["longest_write_gap_s"], election_gap=election,
                          ratio=round(moved["longest_write_gap_s"] / election, 2) if election else None,
                          elections=len(moved["zookeeper_elections_ms"]), handoffs=moved["handoffs"],
                          lost_writes=moved["lost_writes"], wall_time_s=moved["wall_time_s"])
            handoff_targets.append(target)
            print(" | ".join(str(v) for v in target.values()))
    # One round pairs one election against another, and how long ZooKeeper takes to elect varies by itself (seen
    # here: 0.2 s to 1 s in ZooKeeper's own log, whichever roll caused it), so the same figures over all rounds too.
    summary = {}
    print()
    print("strategy | rounds | longest gap median | longest gap max | wall time median | wall time max")
    print("--- | --- | --- | --- | --- | ---")
    for name in args.order.split(","):
        runs = [r for r in results if r["strategy"] == name]
        gaps, walls = [r["longest_write_gap_s"] for r in runs], [r["wall_time_s"] for r in runs]
        summary[name] = dict(rounds=len(runs), gap_median=round(statistics.median(gaps), 3), gap_max=max(gaps),
                             wall_median=round(statistics.median(walls), 2), wall_max=max(walls))
        print(" | ".join(str(v) for v in [name] + list(summary[name].values())))
    if "gated" in summary and "bare" in summary:
        summary["gated_over_bare"] = dict(
            gap_median=round(summary["gated"]["gap_median"] / summary["bare"]["gap_median"], 2),
            wall_median=round(summary["gated"]["wall_median"] / summary["bare"]["wall_median"], 2))
        print("gated/bare over all rounds: longest gap median %(gap_median)s, wall time median %(wall_median)s"
              % summary["gated_over_bare"])
    out = REPORTS / "roll-benchmark.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"runs": results, "targets": targets, "handoff_targets": handoff_targets,
                               "summary": summary}, indent=2))
    print("written: %s" % out)


if __name__ == "__main__":
    main()
