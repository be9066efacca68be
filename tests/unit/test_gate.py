"""The gate verdict (module_utils.gate), the check in front of every restart of a running ensemble: healthy, or
degraded only by servers named for repair while the rest keep a quorum."""
import pytest

from ansible_collections.zkforge.zookeeper.plugins.module_utils import zookeeper as zk


def _server(name, mode, **leader):
    info = {"server": name + ":2181", "reachable": mode != "unreachable", "mode": mode, "missing": [],
            "serving": mode in ("leader", "follower", "observer")}
    info.update(leader)
    return info


def _leader(name, synced):
    return _server(name, "leader", synced_followers=synced, pending_syncs=0, synced_observers=0)


CASES = {
    # name: (servers, repair, passes)
    "healthy": ([_leader("zk3", 2), _server("zk1", "follower"), _server("zk2", "follower")], [], True),
    "follower down": ([_leader("zk3", 1), _server("zk1", "follower"), _server("zk2", "unreachable")], [], False),
    "follower down, named for repair": (
        [_leader("zk3", 1), _server("zk1", "follower"), _server("zk2", "unreachable")], ["zk2:2181"], True),
    "follower down, another named": (
        [_leader("zk3", 1), _server("zk1", "follower"), _server("zk2", "unreachable")], ["zk1:2181"], False),
    "two down, both named: no quorum": (
        [_leader("zk3", 0), _server("zk1", "unreachable"), _server("zk2", "unreachable")],
        ["zk1:2181", "zk2:2181"], False),
    "no leader, named": (
        [_server("zk3", "not_serving"), _server("zk1", "follower"), _server("zk2", "unreachable")],
        ["zk2:2181", "zk3:2181"], False),
    "unsynced follower serving, named": (
        [_leader("zk3", 1), _server("zk1", "follower"), _server("zk2", "follower")], ["zk2:2181"], True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gate(name):
    infos, repair, passes = CASES[name]
    summary = zk.ensemble_summary(infos, expected_voters=3)
    passed, problems = zk.gate(infos, summary, repair)
    assert passed is passes, (summary, problems)
    assert (problems == []) is summary["healthy"]
