"""The gate verdict (module_utils.gate), the check in front of every restart of a running ensemble: healthy, or
degraded only by servers named for repair while the rest keep a quorum."""
import pytest

from ansible_collections.zkforge.zookeeper.plugins.module_utils import ensemble


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
    # The override accepts only problems that concern the named servers.
    "down server named, another follower syncing, not named": (
        [_leader("zk3", 0), _server("zk1", "follower", peer_state="following - synchronization"),
         _server("zk2", "unreachable")], ["zk2:2181"], False),
    "down server named, the leader counts one follower too few": (
        [_leader("zk5", 2), _server("zk1", "follower"), _server("zk2", "follower"), _server("zk3", "follower"),
         _server("zk4", "unreachable")], ["zk4:2181"], False),
    "down server named, pending syncs elsewhere": (
        [_server("zk3", "leader", synced_followers=1, pending_syncs=1, synced_observers=0),
         _server("zk1", "follower"), _server("zk2", "unreachable")], ["zk2:2181"], False),
    "syncing server named, its pending sync": (
        [_server("zk3", "leader", synced_followers=1, pending_syncs=1, synced_observers=0),
         _server("zk1", "follower"), _server("zk2", "follower", peer_state="following - synchronization")],
        ["zk2:2181"], True),
    "leader named, healthy otherwise": (
        [_leader("zk3", 2), _server("zk1", "follower"), _server("zk2", "follower")], ["zk3:2181"], True),
    "every server named, one down": (
        [_leader("zk3", 1), _server("zk1", "follower"), _server("zk2", "unreachable")],
        ["zk1:2181", "zk2:2181", "zk3:2181"], True),
    "standalone server not named": (
        [_leader("zk3", 1), _server("zk1", "standalone"), _server("zk2", "unreachable")], ["zk2:2181"], False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gate(name):
    infos, repair, passes = CASES[name]
    summary = ensemble.ensemble_summary(infos, expected_voters=len(infos))
    passed, problems = ensemble.gate(infos, summary, repair)
    assert passed is passes, (summary, problems)
    assert (problems == []) is summary["healthy"]


def _waiting(*pairs):
    return [{"server": "%s:2181" % host, "mode": mode} for host, mode in pairs]


CLIENTS = {h: h + ":2181" for h in ("zk1", "zk2", "zk3", "zk4")}
ORDER = {
    # name: (state, repair, done, expected order)
    "followers first, leader last": (
        _waiting(("zk1", "leader"), ("zk2", "follower"), ("zk3", "follower")), [], [], ["zk2", "zk3", "zk1"]),
    "observers before followers": (
        _waiting(("zk1", "follower"), ("zk2", "leader"), ("zk3", "follower"), ("zk4", "observer")), [], [],
        ["zk4", "zk1", "zk3", "zk2"]),
    "repair targets first": (
        _waiting(("zk1", "follower"), ("zk2", "leader"), ("zk3", "unknown")), ["zk3"], [], ["zk3", "zk1", "zk2"]),
    # A named leader stays last: put first, it would be deferred at every step and the roll never ends.
    "a named leader stays last": (
        _waiting(("zk1", "leader"), ("zk2", "follower"), ("zk3", "follower")), ["zk1"], [], ["zk2", "zk3", "zk1"]),
    "every server named": (
        _waiting(("zk1", "follower"), ("zk2", "leader"), ("zk3", "follower")), ["zk1", "zk2", "zk3"], [],
        ["zk1", "zk3", "zk2"]),
    "done servers leave the list": (
        _waiting(("zk1", "leader"), ("zk2", "follower"), ("zk3", "follower")), [], ["zk2"], ["zk3", "zk1"]),
    "no state yet": ([], [], [], ["zk1", "zk2", "zk3"]),
}


@pytest.mark.parametrize("name", sorted(ORDER))
def test_roll_order(name):
    state, repair, done, expected = ORDER[name]
    order = ensemble.roll_order(["zk1", "zk2", "zk3"] + (["zk4"] if len(state) == 4 else []), done, CLIENTS, state, repair)
    assert [w["host"] for w in order] == expected
    assert all(w["address"] == CLIENTS[w["host"]] for w in order)


def test_roll_survey_resumes_with_servers_marked_before():
    servers = [{"host": h, "client": CLIENTS[h]} for h in ("zk1", "zk2", "zk3")]
    surveys = {"zk1": {"existed": False, "pending": True, "mode": "leader"},
               "zk2": {"existed": True, "pending": True, "mode": "follower"},
               "zk3": {"existed": False, "pending": True}}
    roll = ensemble.roll_survey(surveys, servers)
    assert roll["resuming"] and roll["hosts"] == ["zk2"]
    assert roll["state"] == [{"server": "zk1:2181", "mode": "leader"}, {"server": "zk2:2181", "mode": "follower"}]
    surveys["zk2"]["existed"] = False
    assert ensemble.roll_survey(surveys, servers)["hosts"] == ["zk1", "zk2", "zk3"]
