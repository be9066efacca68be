"""Table-driven tests of the parsers and of the ensemble judgement, on output captured from the harness's real
3.8.0 and 3.9.3 servers (tests/fixtures/capture-server-output.sh wrote tests/unit/fixtures/)."""
import json
from pathlib import Path

import pytest

from ansible_collections.zkforge.zookeeper.plugins.module_utils import ensemble, parsers

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"  # tests/unit/fixtures


def _text(name):
    return (FIXTURES / name).read_text()


def _json(name):
    return json.loads(_text(name))


@pytest.mark.parametrize("name, mode, epoch", [
    ("srvr-3.8.0-leader.txt", "leader", 1),
    ("srvr-3.8.0-follower.txt", "follower", 1),
    ("srvr-3.9.3-leader.txt", "leader", 1),
    ("srvr-3.9.3-follower.txt", "follower", 0),
    ("srvr-3.9.3-observer.txt", "observer", 1),
])
def test_srvr(name, mode, epoch):
    parsed = parsers.parse_srvr(_text(name))
    assert (parsed["mode"], parsed["zxid"]["epoch"]) == (mode, epoch)
    assert parsed["version"] in ("3.8.0", "3.9.3")


@pytest.mark.parametrize("name", ["srvr-3.8.0-not-serving.txt", "srvr-3.9.3-not-serving.txt"])
def test_srvr_not_serving(name):
    assert parsers.parse_srvr(_text(name))["mode"] == "not_serving"


@pytest.mark.parametrize("name, expected", [
    ("mntr-3.9.3-leader.txt", {"server_state": "leader", "peer_state": "leading - broadcast", "synced_followers": 2,
                               "synced_observers": 1, "pending_syncs": 0, "learners": 3, "quorum_size": 3,
                               "avg_latency": 0}),
    ("mntr-3.9.3-follower.txt", {"server_state": "follower", "peer_state": "following - broadcast"}),
    ("mntr-3.8.0-leader.txt", {"server_state": "leader", "peer_state": "leading - broadcast", "synced_followers": 2,
                               "synced_observers": 0, "pending_syncs": 0, "quorum_size": 3}),
    ("mntr-3.8.0-follower.txt", {"server_state": "follower", "peer_state": "following - broadcast"}),
    ("mntr-3.9.3-observer.txt", {"server_state": "observer", "peer_state": "observing - broadcast"}),
])
def test_mntr(name, expected):
    parsed = parsers.parse_mntr(_text(name))
    for key, value in expected.items():
        assert parsed[key] == value, key
    assert "synced_followers" in parsed if expected["server_state"] == "leader" else "synced_followers" not in parsed


def test_mntr_numbers_from_the_prometheus_provider_are_floats():
    parsed = parsers.parse_mntr("zk_server_state\tleader\nzk_synced_followers\t2.0\nzk_avg_latency\t0.3333\n")
    assert parsed == {"server_state": "leader", "synced_followers": 2, "avg_latency": 0.3333}


def test_mntr_not_serving():
    assert parsers.parse_mntr(_text("mntr-3.9.3-not-serving.txt")) is None


def test_mntr_garbage():
    with pytest.raises(ValueError):
        parsers.parse_mntr("<html>no</html>")


@pytest.mark.parametrize("name, server_id", [("conf-3.9.3-leader.txt", "3"), ("conf-3.9.3-observer.txt", "4"),
                                             ("conf-3.8.0-leader.txt", "3"), ("conf-3.8.0-follower.txt", "2")])
def test_conf(name, server_id):
    assert parsers.parse_conf(_text(name))["serverId"] == server_id


def test_admin_fixtures_carry_what_the_parser_reads():
    monitor = _json("admin-monitor-3.9.3-leader.json")
    info = {"mode": None, "version": None}
    parsers.apply_monitor(info, monitor)
    assert info["mode"] == "leader" and info["version"] == "3.9.3"
    assert (info["synced_followers"], info["synced_observers"], info["pending_syncs"]) == (2, 1, 0)
    assert _json("admin-conf-3.9.3-observer.json")["server_id"] == 4
    assert _json("admin-conf-3.8.0-leader.json")["server_id"] == 3
    info38 = {"mode": None, "version": None}
    parsers.apply_monitor(info38, _json("admin-monitor-3.8.0-leader.json"))
    assert (info38["mode"], info38["version"], info38["synced_followers"]) == ("leader", "3.8.0", 2)
    assert _json("admin-srvr-3.9.3-not-serving.json")["error"].startswith(parsers.NOT_SERVING)


def _info(server, mode, version="3.9.3", **extra):
    info = {"server": server, "mode": mode, "serving": mode in parsers.MODES, "reachable": mode != "unreachable",
            "version": version, "missing": []}
    info.update(extra)
    return info


LEADER_OK = dict(synced_followers=2, pending_syncs=0, synced_observers=0, quorum_size=3)

ENSEMBLES = [
    ("healthy", [_info("zk1:2181", "follower"), _info("zk2:2181", "follower"),
                 _info("zk3:2181", "leader", **LEADER_OK)], True, []),
    ("follower down", [_info("zk1:2181", "follower"), _info("zk2:2181", "unreachable", error="zk2:2181: cannot connect"),
                       _info("zk3:2181", "leader", **dict(LEADER_OK, synced_followers=1))], False,
     ["zk2:2181 is not serving requests (zk2:2181: cannot connect)",
      "leader zk3:2181 counts 1 synced voting follower, expected 2"]),
    ("syncing", [_info("zk1:2181", "not_serving"), _info("zk2:2181", "follower"),
                 _info("zk3:2181", "leader", **dict(LEADER_OK, synced_followers=1, pending_syncs=1))], False,
     ["zk1:2181 is not serving requests (not serving)", "leader zk3:2181 counts 1 synced voting follower, expected 2",
      "leader zk3:2181 has 1 pending sync"]),
    ("two leaders", [_info("zk1:2181", "leader", **LEADER_OK), _info("zk2:2181", "leader", **LEADER_OK),
                     _info("zk3:2181", "follower")], False, ["two servers report leader: zk1:2181, zk2:2181"]),
    ("mixed versions are reported but not unhealthy",
     [_info("zk1:2181", "follower", "3.8.0"), _info("zk2:2181", "follower"), _info("zk3:2181", "leader", **LEADER_OK)],
     True, ["mixed versions: 3.8.0 on zk1:2181, 3.9.3 on zk2:2181, zk3:2181"]),
    ("no quorum", [_info("zk1:2181", "not_serving"), _info("zk2:2181", "unreachable"), _info("zk3:2181", "unreachable")],
     False, ["zk1:2181 is not serving requests (not serving)", "zk2:2181 is not serving requests (unreachable)",
             "zk3:2181 is not serving requests (unreachable)", "only 0 of 3 voters serve: no quorum"]),
    ("leader without mntr", [_info("zk1:2181", "follower"), _info("zk2:2181", "follower"),
                             _info("zk3:2181", "leader", missing=["mntr: 'mntr' is not in the whitelist"])], False,
     ["leader zk3:2181 does not say how many followers are synced (mntr: 'mntr' is not in the whitelist)"]),
]


@pytest.mark.parametrize("name, infos, healthy, problems", ENSEMBLES, ids=[e[0] for e in ENSEMBLES])
def test_ensemble_summary(name, infos, healthy, problems):
    summary = ensemble.ensemble_summary(infos)
    assert summary["healthy"] is healthy
    assert summary["problems"] == problems


@pytest.mark.parametrize("target, infos, expected", [
    ("zk1:2181", ENSEMBLES[0][1], True),
    ("zk1:2181", ENSEMBLES[2][1], False),
    ("zk2:2181", ENSEMBLES[2][1], False),  # serving, but the leader does not count every follower yet
    ("zk3:2181", ENSEMBLES[0][1], True),
])
def test_synced(target, infos, expected):
    info = next(i for i in infos if i["server"] == target)
    ok, reason = ensemble.synced(info, infos, ensemble.ensemble_summary(infos))
    assert ok is expected, reason


def test_synced_needs_broadcast_peer_state():
    infos = [_info("zk1:2181", "follower", peer_state="following - synchronization"), _info("zk2:2181", "follower"),
             _info("zk3:2181", "leader", **LEADER_OK)]
    ok, reason = ensemble.synced(infos[0], infos, ensemble.ensemble_summary(infos))
    assert not ok and "not broadcast" in reason


def test_properties_as_zookeeper_reads_zoo_cfg():
    from ansible_collections.zkforge.zookeeper.plugins.module_utils.parsers import parse_properties
    text = "# comment\n! also\nclientPort=2181\nsslQuorum = true\nportUnification: false\nclientPort=2182\nbad line\n"
    assert parse_properties(text) == {"clientPort": "2182", "sslQuorum": "true", "portUnification": "false"}
    assert parse_properties(text, ["sslQuorum"]) == {"sslQuorum": "true"}
