"""The status table (module_utils/report.py) from zookeeper_info-shaped results: one row per server, the leader's
synced count, a follower's broadcast state, problems on the server they concern, the verdict last."""
from ansible_collections.zkforge.zookeeper.plugins.module_utils import report
from ansible_collections.zkforge.zookeeper.plugins.module_utils import ensemble

SERVERS = [{"host": h, "id": i, "role": "participant", "client": "%s:2181" % h} for i, h in
           ((1, "zk1"), (2, "zk2"), (3, "zk3"))]


def _info(name, mode, **more):
    info = {"server": name + ":2181", "reachable": mode != "unreachable", "mode": mode, "missing": [],
            "serving": mode in ("leader", "follower"), "version": "3.8.0", "zxid": {"hex": "0x100000002"},
            "latency": {"min": 0, "avg": 0.4, "max": 3}, "peer_state": None}
    info.update(more)
    return info


def _result(infos):
    return {"servers": infos, "ensemble": ensemble.ensemble_summary(infos, expected_voters=3)}


def test_healthy_ensemble():
    lines = report.status_table(_result([
        _info("zk1", "follower", peer_state="following - broadcast", server_id=1),
        _info("zk2", "leader", synced_followers=2, pending_syncs=0, synced_observers=0, server_id=2),
        _info("zk3", "follower", peer_state="following - broadcast", server_id=3)]), SERVERS)
    assert lines[0].split() == ["server", "id", "role", "mode", "version", "zxid", "synced", "latency", "ms",
                                "problems"]
    assert "zk2 (zk2:2181)" in lines[3] and "leader" in lines[3] and "2/2 followers" in lines[3]
    assert lines[2].split()[4:8] == ["follower", "3.8.0", "0x100000002", "yes"]
    assert lines[-1] == "HEALTHY: leader zk2:2181, 3 of 3 voters serving"


def test_degraded_ensemble_names_the_server():
    lines = report.status_table(_result([
        _info("zk1", "unreachable", serving=False, version=None, zxid=None, latency=None,
              error="zk1:2181: cannot connect (Connection refused)"),
        _info("zk2", "leader", synced_followers=1, pending_syncs=0, synced_observers=0),
        _info("zk3", "follower", peer_state="following - broadcast")]), SERVERS)
    assert "zk1:2181 is not serving requests" in lines[2]
    assert "1/2 followers" in lines[3] and "leader zk2:2181 counts 1 synced voting follower" in lines[3]
    assert lines[-1].startswith("NOT HEALTHY: zk1:2181 is not serving requests")
