"""membership (module_utils/membership.py): the dynamic configuration read and written back, and the verdicts on a
membership change made before anything is touched. Configuration texts as servers return /zookeeper/config (the
session tests read them from real 3.8.0 and 3.9.3 servers)."""
from pathlib import Path

import pytest

from ansible_collections.zkforge.zookeeper.plugins.module_utils.ensemble import (
    membership_differences,
    membership_plan,
    running_membership,
)
from ansible_collections.zkforge.zookeeper.plugins.module_utils.membership import (
    MembershipError,
    changes,
    handoff,
    member_spec,
    parse_config,
    problems,
    steps,
    voters,
)
from ansible_collections.zkforge.zookeeper.plugins.module_utils.parsers import parse_conf

THREE = """server.1=zk1:2888:3888:participant;0.0.0.0:2181
server.2=zk2:2888:3888:participant;0.0.0.0:2181
server.3=zk3:2888:3888:participant;0.0.0.0:2181
version=100000000
"""


def _members(*specs):
    return parse_config("\n".join(specs))["members"]


def _voters(*ids, **moved):
    return _members(*("server.%d=%s:2888:3888:participant;0.0.0.0:2181" % (i, moved.get("h%d" % i, "zk%d" % i))
                      for i in ids))


def test_configuration_read_and_written_back():
    config = parse_config(THREE)
    assert config["version"] == 0x100000000
    assert sorted(config["members"]) == [1, 2, 3]
    assert config["members"][2] == dict(id=2, address="zk2", quorum_port=2888, election_port=3888,
                                        role="participant", client_address="0.0.0.0", client_port=2181)
    assert [member_spec(m) for m in config["members"].values()] == THREE.splitlines()[:3]


@pytest.mark.parametrize("value, spec", [
    ("10.0.0.4:2888:3888", "server.4=10.0.0.4:2888:3888:participant"),
    ("[fd00::4]:2888:3888:observer;[::]:2181", "server.4=[fd00::4]:2888:3888:observer;[::]:2181"),
    ("zk4:2888:3888:observer;2182", "server.4=zk4:2888:3888:observer;0.0.0.0:2182"),
])
def test_spec_forms(value, spec):
    assert member_spec(_members("server.4=" + value)[4]) == spec


@pytest.mark.parametrize("text, fragment", [
    ("server.1=zk1:2888", "cannot read the server spec"),
    ("server.1=zk1:2888:3888:witness", "unknown role 'witness'"),
    ("group.1=1:2:3", "hierarchical quorums"),
    ("server.x=zk1:2888:3888", "not a server line"),
])
def test_unreadable_configurations_are_named(text, fragment):
    with pytest.raises(MembershipError, match=fragment):
        parse_config(text)


def test_growing_three_to_five_adds_one_voter_at_a_time():
    old, new = _voters(1, 2, 3), _voters(1, 2, 3, 4, 5)
    assert problems(old, new, alive={1, 2, 3}) == []
    assert [(s["action"], s["id"]) for s in steps(old, new)] == [("add", 4), ("add", 5)]
    assert steps(old, new)[0]["joining"] == ["server.4=zk4:2888:3888:participant;0.0.0.0:2181"]


def test_shrinking_five_to_three_removes_after_nothing_else():
    old, new = _voters(1, 2, 3, 4, 5), _voters(1, 2, 3)
    assert problems(old, new, alive={1, 2, 3, 4, 5}) == []
    assert steps(old, new) == [dict(action="remove", id=4, leaving=[4]), dict(action="remove", id=5, leaving=[5])]


def test_removing_too_many_voters_at_once_is_refused():
    # 5 -> 2 would leave 2 of 5: not a quorum of the old configuration.
    found = problems(_voters(1, 2, 3, 4, 5), _voters(1, 2, 3), alive={1, 2})
    assert len(found) == 1 and "only 2 of the 5 voters" in found[0] and "not serving now: 3, 4, 5" in found[0]


def test_an_even_number_of_voters_needs_consent():
    old, new = _voters(1, 2, 3), _voters(1, 2, 3, 4)
    assert "4 voters" in problems(old, new, alive={1, 2, 3})[0]
    assert problems(old, new, alive={1, 2, 3}, allow_even=True) == []


def test_replacing_a_dead_server_is_allowed_alone():
    # zk3 died; id 3 moves to zk6. Voters 1 and 2 stay and serve: a quorum of three.
    old, new = _voters(1, 2, 3), _voters(1, 2, 3, h3="zk6")
    assert changes(old, new)["moved"] == [3]
    assert problems(old, new, alive={1, 2}) == []
    assert steps(old, new) == [dict(action="move", id=3, joining=["server.3=zk6:2888:3888:participant;0.0.0.0:2181"])]


def test_two_changes_that_each_look_safe_lose_quorum_together():
    # Replacing dead zk3 and removing zk2 in the same run: only zk1 would be left of the old three.
    old, new = _voters(1, 2, 3), _members("server.1=zk1:2888:3888:participant;0.0.0.0:2181",
                                          "server.3=zk6:2888:3888:participant;0.0.0.0:2181",
                                          "server.4=zk4:2888:3888:participant;0.0.0.0:2181")
    found = problems(old, new, alive={1, 2})
    assert found and "only 1 of the 3 voters" in found[0] and "leaving, replaced or becoming observers: 2, 3" in found[0]


def test_voter_to_observer_and_back():
    old = _voters(1, 2, 3, 4, 5)
    as_observer = _members(*(member_spec(m) for m in old.values() if m["id"] != 5),
                           "server.5=zk5:2888:3888:observer;0.0.0.0:2181")
    # 5 voters -> 4 voters + 1 observer: even, refused unless allowed.
    assert "4 voters" in problems(old, as_observer, alive=set(old))[0]
    assert problems(old, as_observer, alive=set(old), allow_even=True) == []
    assert [(s["action"], s["id"]) for s in steps(old, as_observer)] == [("demote", 5)]
    assert [(s["action"], s["id"]) for s in steps(as_observer, old)] == [("promote", 5)]


def test_promotion_comes_before_demotion():
    old = _members("server.1=zk1:2888:3888:participant", "server.2=zk2:2888:3888:participant",
                   "server.3=zk3:2888:3888:participant", "server.4=zk4:2888:3888:observer")
    new = _members("server.1=zk1:2888:3888:participant", "server.2=zk2:2888:3888:participant",
                   "server.3=zk3:2888:3888:observer", "server.4=zk4:2888:3888:participant")
    assert problems(old, new, alive={1, 2, 3, 4}) == []
    assert [(s["action"], s["id"]) for s in steps(old, new)] == [("promote", 4), ("demote", 3)]


def test_a_configuration_without_voters_is_refused():
    assert problems(_voters(1), _members("server.1=zk1:2888:3888:observer"), alive={1}) == [
        "the new configuration has no voters (participants)"]


# The running membership as servers list it in `conf` (fixtures recorded from real 3.8.0 and 3.9.3 servers), and
# how the inventory differs from it (the gate's first check).
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _info(name, mode, serving=True):
    return dict(server=name, mode=mode, serving=serving,
                raw={"conf": parse_conf((FIXTURES / ("conf-%s.txt" % name)).read_text())})


INVENTORY = ["server.1=zk1:2888:3888", "server.2=zk2:2888:3888", "server.3=zk3:2888:3888",
             "server.4=zk4:2888:3888:observer"]


def test_the_running_membership_is_the_leaders():
    running = running_membership([_info("3.9.3-observer", "observer"), _info("3.9.3-leader", "leader")])
    assert running["server"] == "3.9.3-leader" and running["version"] == 0
    assert voters(running["members"]) == [1, 2, 3] and running["members"][4]["role"] == "observer"
    assert membership_differences(running, INVENTORY) == []


def test_no_membership_without_a_serving_server():
    assert running_membership([_info("3.9.3-not-serving", "not_serving", serving=False)]) is None
    assert membership_differences(None, INVENTORY) == []


def test_an_inventory_that_grows_shrinks_moves_or_changes_roles_is_named():
    running = running_membership([_info("3.8.0-leader", "leader")])
    assert membership_differences(running, INVENTORY[:3]) == []
    grown = INVENTORY[:3] + ["server.4=zk4:2888:3888", "server.5=zk5:2888:3888"]
    assert membership_differences(running, grown) == [
        "server 4 (zk4:2888:3888:participant) is in the inventory, not in the running configuration",
        "server 5 (zk5:2888:3888:participant) is in the inventory, not in the running configuration"]
    assert membership_differences(running, INVENTORY[:2]) == [
        "server 3 (zk3:2888:3888:participant) runs in the ensemble, not in the inventory"]
    moved = INVENTORY[:2] + ["server.3=zk6:2888:3888"]
    assert membership_differences(running, moved) == [
        "server 3 runs as zk3:2888:3888:participant, the inventory puts it at zk6:2888:3888:participant"]
    demoted = INVENTORY[:2] + ["server.3=zk3:2888:3888:observer"]
    assert membership_differences(running, demoted) == [
        "server 3 runs as participant, the inventory makes it an observer"]


# The gate's plan (ensemble.membership_plan): from zookeeper_info's result, the inventory and each member's
# preflight read of its zoo.cfg.
def _servers(count, observers=()):
    return [dict(host="zk%d" % i, id=i, role="observer" if i in observers else "participant",
                 client="zk%d:2181" % i,
                 dynamic_spec="server.%d=zk%d:2888:3888:%s;0.0.0.0:2181"
                              % (i, i, "observer" if i in observers else "participant")) for i in range(1, count + 1)]


def _gate(members, serving):
    return {"servers": [dict(server="zk%d:2181" % i, serving=i in serving) for i in members],
            "ensemble": {"membership": running_membership(
                [dict(server="zk1:2181", mode="leader", serving=True,
                      raw={"conf": dict(("server.%d" % i, "zk%d:2888:3888:participant" % i) for i in members)})])}}


def _hostvars(count, reconfig=True):
    value = {"reconfigEnabled": "true"} if reconfig else {}
    return dict(("zk%d" % i, {"_zookeeper_host": {"config": {"values": value}}}) for i in range(1, count + 1))


def test_plan_adds_servers_one_at_a_time_on_a_dynamic_ensemble():
    result = membership_plan(_gate([1, 2, 3], {1, 2, 3}), _servers(5), _hostvars(5))
    assert result["change"] and result["dynamic"] and result["problems"] == []
    assert [(s["action"], s["id"], s["host"]) for s in result["steps"]] == [("add", 4, "zk4"), ("add", 5, "zk5")]
    assert result["running_clients"] == ["zk1:2181", "zk2:2181", "zk3:2181"] and result["running_voters"] == 3
    assert [(s["voters_after"], len(s["clients_after"])) for s in result["steps"]] == [(4, 4), (5, 5)]


def test_plan_adds_an_observer():
    result = membership_plan(_gate([1, 2, 3], {1, 2, 3}), _servers(4, observers={4}), _hostvars(4))
    assert [(s["action"], s["voters_after"], s["observers_after"]) for s in result["steps"]] == [("add", 3, 1)]
    assert result["steps"][0]["joining"] == ["server.4=zk4:2888:3888:observer;0.0.0.0:2181"]


def test_plan_refuses_a_static_ensemble_and_says_how_to_proceed():
    result = membership_plan(_gate([1, 2, 3], {1, 2, 3}), _servers(5), _hostvars(5, reconfig=False))
    assert result["change"] and not result["dynamic"] and result["steps"] == []
    assert "split it into two quorums" in result["problems"][0] and "zookeeper_reconfig_enabled" in result["problems"][0]


def _leaving(servers, *ids):
    for server in servers:
        server["leave"] = server["id"] in ids
    return servers


def test_plan_removes_hosts_marked_to_leave_after_everything_else():
    result = membership_plan(_gate([1, 2, 3, 4, 5], {1, 2, 3, 4, 5}), _leaving(_servers(5), 4, 5), _hostvars(5))
    assert result["problems"] == [] and result["dynamic"]
    assert [(s["action"], s["id"], s["host"], s["leaving"]) for s in result["steps"]] == [
        ("remove", 4, "zk4", [4]), ("remove", 5, "zk5", [5])]
    # The members asked before the change include those leaving; after each step, those that stay.
    assert result["running_clients"] == ["zk%d:2181" % i for i in range(1, 6)] and result["running_voters"] == 5
    assert [(s["voters_after"], s["clients_after"]) for s in result["steps"]] == [
        (4, ["zk1:2181", "zk2:2181", "zk3:2181", "zk5:2181"]), (3, ["zk1:2181", "zk2:2181", "zk3:2181"])]
    assert result["removing_hosts"] == ["zk4", "zk5"]


def test_plan_adds_before_it_removes_in_one_run():
    # zk4 joins as a voter while zk3 leaves: 3 -> 4 -> 3 voters, never fewer than three.
    servers = _leaving(_servers(4), 3)
    result = membership_plan(_gate([1, 2, 3], {1, 2, 3}), servers, _hostvars(4), allow_even=False)
    assert [(s["action"], s["id"], s["voters_after"]) for s in result["steps"]] == [("add", 4, 4), ("remove", 3, 3)]


def test_plan_refuses_removals_that_lose_the_quorum_or_hosts_it_does_not_know():
    too_many = membership_plan(_gate([1, 2, 3, 4, 5], {1, 2, 3, 4, 5}), _leaving(_servers(5), 3, 4, 5), _hostvars(5))
    assert too_many["steps"] == [] and "only 2 of the 5 voters" in too_many["problems"][0]
    # A running member whose host is simply gone from the inventory is not removed behind the operator's back.
    vanished = membership_plan(_gate([1, 2, 3, 4, 5], {1, 2, 3, 4, 5}), _servers(3), _hostvars(5), allow_even=True)
    assert vanished["steps"] == [] and "server 4 (zk4), 5 (zk5) runs in the ensemble, but no host" \
        in vanished["problems"][0] and "zookeeper_leave: true" in vanished["problems"][0]
    # Already removed by an earlier run: nothing to change, nothing to remove.
    done = membership_plan(_gate([1, 2, 3], {1, 2, 3}), _leaving(_servers(5), 4, 5), _hostvars(5))
    assert done["change"] is False and done["removing_hosts"] == []


def test_plan_moves_a_dead_servers_id_to_a_new_host():
    # zk3 died; its id goes to zk9, a new host that never ran ZooKeeper (no reconfigEnabled read there).
    moved = _servers(3)
    moved[2].update(host="zk9", dynamic_spec="server.3=zk9:2888:3888:participant;0.0.0.0:2181", client="zk9:2181")
    hostvars = dict(_hostvars(2), zk9={"_zookeeper_host": {"config": {}}})
    replaced = membership_plan(_gate([1, 2, 3], {1, 2}), moved, hostvars)
    assert replaced["problems"] == [] and replaced["dynamic"]
    assert [(s["action"], s["id"], s["host"], s["joining"], s["voters_after"]) for s in replaced["steps"]] == [
        ("move", 3, "zk9", ["server.3=zk9:2888:3888:participant;0.0.0.0:2181"], 3)]
    # Before the step the new host does not serve (named for repair); the old place is asked, it must not serve.
    assert replaced["moving_clients"] == ["zk9:2181"] and replaced["moved_from"] == ["zk3:2181"]
    assert replaced["steps"][0]["clients_after"] == ["zk1:2181", "zk2:2181", "zk9:2181"]
    # With another voter down as well, one of three voters cannot carry the change.
    lost = membership_plan(_gate([1, 2, 3], {1}), moved, hostvars)
    assert lost["steps"] == [] and "only 1 of the 3 voters" in lost["problems"][0]


def test_no_plan_without_a_change_or_a_running_ensemble():
    assert membership_plan(_gate([1, 2, 3], {1, 2, 3}), _servers(3), _hostvars(3))["change"] is False
    assert membership_plan({"servers": [], "ensemble": {"membership": None}}, _servers(3), {})["change"] is False


def test_handoff_makes_the_leader_an_observer_with_its_own_ports():
    observer, why = handoff(parse_config(THREE), 2)
    assert why is None
    assert member_spec(observer) == "server.2=zk2:2888:3888:observer;0.0.0.0:2181"


@pytest.mark.parametrize("text, sid, reason", [
    (THREE.replace("version=100000000\n", ""), 1, "static"),
    (THREE, 4, "not in the configuration"),
    (THREE.replace("server.3=zk3:2888:3888:participant", "server.3=zk3:2888:3888:observer"), 1, "fewer than three"),
    (THREE + "server.4=zk4:2888:3888:observer;2181\n", 4, "not a voter"),
])
def test_no_handoff_where_it_cannot_keep_a_quorum_or_has_no_dynamic_configuration(text, sid, reason):
    observer, why = handoff(parse_config(text), sid)
    assert observer is None and reason in why


def test_handoff_gives_a_member_without_client_port_the_port_it_serves():
    text = THREE.replace(";0.0.0.0:2181", "")
    assert handoff(parse_config(text), 1)[0] is None
    observer, why = handoff(parse_config(text), 1, 2281)
    assert member_spec(observer) == "server.1=zk1:2888:3888:observer;0.0.0.0:2281"
