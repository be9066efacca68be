#!/usr/bin/env python3
"""Client load for roll tests and benchmarks: continuous writes to a ZooKeeper ensemble through kazoo, recording
every acknowledged write and every failure with timestamps, while a watcher thread polls each server's mode
(`srvr`) to count leader changes. Stops when --stop-file appears (or after --duration seconds), then reads every
acknowledged znode back and writes a JSON report.

Only the project's own test containers are addressed: the servers are given on the command line.

  zkload.py --servers 172.18.0.2:2181,172.18.0.3:2181,172.18.0.4:2181 --rate 100 \
            --stop-file /tmp/stop --report /tmp/load.json
"""
import argparse
import json
import logging
import os
import sys
import threading
import time
import uuid
from pathlib import Path

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.retry import KazooRetry

# The collection's own four-letter-word client and srvr parser (collections/ is a symlinked collection tree).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "collections"))
from ansible_collections.zkforge.zookeeper.plugins.module_utils import client, parsers  # noqa: E402

MAX_SECONDS = 1800  # a run never lasts longer than this, whatever happens


def _srvr(server, timeout=0.5):
    """(mode, epoch) from one server's answer to 'srvr'; the epoch is the high 32 bits of its zxid."""
    host, port = parsers.split_server(server)
    try:
        parsed = parsers.parse_srvr(client.four_letter_word(host, port, "srvr", timeout))
    except client.ZooKeeperError:
        return "unreachable", None
    except ValueError:
        return "not_serving", None
    return parsed["mode"], parsed.get("zxid", {}).get("epoch")


class LeaderWatcher(threading.Thread):
    """Polls every server's mode and zxid epoch. Every leader election starts a new epoch, so the number of
    elections is how far the highest epoch seen grew: a poll that misses the leader (a slow answer) or a leader
    re-elected as itself cannot be miscounted. The leader timeline is kept for the report."""

    def __init__(self, servers, interval, stop):
        super().__init__(daemon=True)
        self.servers, self.interval, self.stop = servers, interval, stop
        self.timeline = []  # (t, leader or None)
        self.epochs = []  # (t, epoch) each time the highest epoch seen grows
        self.two_leaders = []  # (t, poll number, [servers]) each poll in which more than one server said it leads
        self.polls = 0

    def run(self):
        current = "unset"
        while not self.stop.is_set():
            answers = [(s,) + _srvr(s) for s in self.servers]
            leaders = [s for s, mode, _ in answers if mode == "leader"]
            leader = leaders[0] if len(leaders) == 1 else None
            self.polls += 1
            if len(leaders) > 1:
                self.two_leaders.append((time.time(), self.polls, [(s, e) for s, mode, e in answers if mode == "leader"]))
            epoch = max([e for _, mode, e in answers if e is not None and mode != "not_serving"], default=None)
            now = time.time()
            if epoch is not None and (not self.epochs or epoch > self.epochs[-1][1]):
                self.epochs.append((now, epoch))
            if leader != current:
                self.timeline.append((now, leader))
                current = leader
            self.stop.wait(self.interval)

    def two_leaders_longest(self):
        """The most consecutive polls in which two servers said they lead. A poll asks the servers one after the
        other, so a leader hand-off between two answers can show the old and the new leader in one poll; two leaders
        poll after poll is what a split ensemble looks like."""
        longest = streak = 0
        previous = None
        for _, poll, _ in self.two_leaders:
            streak = streak + 1 if previous == poll - 1 else 1
            longest, previous = max(longest, streak), poll
        return longest

    def leader_changes(self):
        return self.epochs[-1][1] - self.epochs[0][1] if self.epochs else 0


def _two_leaders(t, leaders):
    newest = max(e for _, e in leaders if e is not None) if any(e is not None for _, e in leaders) else None
    return {"t": round(t, 3), "leaders": [server for server, _ in leaders],
            "epochs": [epoch for _, epoch in leaders],
            "superseded": [server for server, epoch in leaders
                           if newest is not None and epoch is not None and epoch < newest]}


def run(args):
    logging.basicConfig(level=logging.ERROR)
    stop = threading.Event()
    watcher = LeaderWatcher(args.servers.split(","), args.watch_interval, stop)
    watcher.start()
    client = KazooClient(hosts=args.servers, timeout=args.session_timeout,
                         connection_retry=KazooRetry(max_tries=-1, delay=0.05, max_delay=args.reconnect_max_delay),
                         command_retry=None)
    client.start(timeout=30)
    root = "/zkforge-load/%s" % uuid.uuid4().hex[:8]
    client.ensure_path(root)

    acked, failures = [], []
    start = time.time()
    interval = 1.0 / args.rate
    next_at = start
    n = 0
    ready_written = False
    while True:
        now = time.time()
        if (args.stop_file and os.path.exists(args.stop_file)) or (args.duration and now - start >= args.duration) \
                or now - start >= MAX_SECONDS:
            break
        if now < next_at:
            time.sleep(next_at - now)
        next_at += interval
        n += 1
        path = "%s/w-%08d" % (root, n)
        t0 = time.time()
        try:
            client.create(path, str(n).encode())
            acked.append((n, t0, time.time()))
        except KazooException as exc:
            failures.append((n, t0, time.time(), type(exc).__name__))
            next_at = max(next_at, time.time())
        except Exception as exc:  # connection trouble surfaces as various errors in kazoo
            failures.append((n, t0, time.time(), type(exc).__name__))
            next_at = max(next_at, time.time())
        if args.ready_file and not ready_written and len(acked) >= args.rate:
            with open(args.ready_file, "w") as ready:
                ready.write("writing\n")
            ready_written = True
    end = time.time()
    stop.set()
    watcher.join(timeout=5)

    # Read back every acknowledged write.
    client.sync(root)
    present = set(client.get_children(root))
    lost = [n for n, _, _ in acked if "w-%08d" % n not in present]
    if args.cleanup:  # after the check: a benchmark's next roll should not restart a bigger database
        client.delete(root, recursive=True)
    client.stop()
    client.close()

    ack_times = [t1 for _, _, t1 in acked]
    # (length, when it began) of every interval between two acknowledged writes, start and end included
    gaps = [(b - a, a) for a, b in zip([start] + ack_times, ack_times + [end])]
    gaps.sort(reverse=True)
    report = {
        "servers": args.servers.split(","),
        "rate_target": args.rate,
        "duration_s": round(end - start, 3),
        "writes_attempted": n,
        "writes_acknowledged": len(acked),
        "failed_operations": len(failures),
        "failures": [{"n": f[0], "t": round(f[1] - start, 3), "error": f[3]} for f in failures[:200]],
        "lost_writes": len(lost),
        "lost": lost[:100],
        "longest_write_gap_s": round(gaps[0][0] if gaps else 0.0, 3),
        # where the longest gaps were, to set them against the roll's steps and the leader timeline
        "longest_write_gaps": [{"t": round(at - start, 3), "s": round(length, 3)} for length, at in gaps[:3]],
        # every gap of 0.25 s or more, in order, to split the run by the roll's steps (tests/load/roll_steps.py)
        "write_gaps": sorted(({"t": round(at - start, 3), "s": round(length, 3)} for length, at in gaps
                              if length >= 0.25), key=lambda g: g["t"])[:1000],
        "leader_changes": watcher.leader_changes(),
        "leader_timeline": [{"t": round(t - start, 3), "leader": leader} for t, leader in watcher.timeline],
        "epochs": [{"t": round(t - start, 3), "epoch": epoch} for t, epoch in watcher.epochs],
        # polls (every server asked in turn) in which two servers said they lead, and the longest run of such polls
        # (a leader whose epoch is older than another's is superseded: a quorum has moved on to the newer epoch, as
        # when reconfig removes the leader and it still answers "leader" until its next tick)
        "two_leader_polls": [_two_leaders(t - start, leaders) for t, _, leaders in watcher.two_leaders],
        "two_leaders_longest": watcher.two_leaders_longest(),
        "started_at": start,
    }
    with open(args.report, "w") as out:
        json.dump(report, out, indent=2)
    print(json.dumps({k: report[k] for k in ("writes_acknowledged", "failed_operations", "lost_writes",
                                             "longest_write_gap_s", "leader_changes")}))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", required=True, help="host:port,host:port,... of the ensemble")
    parser.add_argument("--rate", type=float, default=100.0, help="writes per second")
    parser.add_argument("--stop-file", help="stop when this file exists")
    parser.add_argument("--ready-file", help="written once a second's worth of writes is acknowledged")
    parser.add_argument("--duration", type=float, default=0, help="stop after this many seconds (0: no limit)")
    parser.add_argument("--session-timeout", type=float, default=10.0)
    parser.add_argument("--watch-interval", type=float, default=0.1)
    # kazoo sleeps between full passes over the server list, doubling from 0.05 s up to this (with +-40% jitter).
    # A short cap keeps the client's own back-off from rounding every gap up to the next sleep (with 0.5 s the gaps
    # after one election fell in two bands, ~0.85 s and ~1.3 s), so a gap measures the ensemble, not the client.
    parser.add_argument("--reconnect-max-delay", type=float, default=0.1,
                        help="longest sleep between reconnect passes, seconds")
    parser.add_argument("--report", required=True, help="JSON report path")
    parser.add_argument("--cleanup", action="store_true", help="delete this run's znodes once they are checked")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
