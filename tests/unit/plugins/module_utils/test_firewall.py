"""The firewall reader and planner (module_utils/firewall.py), on ufw's rules files and status captured from a
converged test server (172.18.0.3, members 172.18.0.4 and 172.18.0.5), and on firewalld's listing captured from
a Debian 13 server."""
from pathlib import Path

from ansible_collections.zkforge.zookeeper.plugins.module_utils import firewall as f

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"  # tests/unit/fixtures


def _fixture(name):
    return (FIXTURES / name).read_text()


def test_ufw_rules_files_give_the_allowed_pairs():
    rules = f.parse_ufw_rules(_fixture("ufw-user.rules") + _fixture("ufw-user6.rules"))
    # IPv4 and IPv6 tuples of the SSH rule and the client port's rule from anywhere; the members' rules are IPv4.
    assert [r["comment"] for r in rules].count("ssh (kept open by zkforge.zookeeper)") == 2
    assert [r["comment"] for r in rules].count("zookeeper") == 8
    assert f.ufw_allowed(rules) == [[22, "any"], [2181, "any"], [2181, "172.18.0.4"], [2181, "172.18.0.5"],
                                    [2888, "172.18.0.4"], [2888, "172.18.0.5"], [3888, "172.18.0.4"],
                                    [3888, "172.18.0.5"]]


def test_ufw_rules_that_are_not_single_tcp_ports_inbound_are_left_out():
    text = "\n".join([
        "### tuple ### allow udp 2181 0.0.0.0/0 any 10.0.0.1 in",
        "### tuple ### allow tcp 2000:2100 0.0.0.0/0 any 10.0.0.1 in",
        "### tuple ### deny tcp 2181 0.0.0.0/0 any 10.0.0.2 in",
        "### tuple ### allow tcp 2181 10.0.0.9 any 10.0.0.3 in",
        "### tuple ### allow tcp 2181 0.0.0.0/0 any 10.0.0.4 out",
        "### tuple ### allow tcp 2181 0.0.0.0/0 any 10.0.0.5 in",
    ])
    assert f.ufw_allowed(f.parse_ufw_rules(text)) == [[2181, "10.0.0.5"]]


def test_ufw_status_active_and_default_policy():
    assert f.parse_ufw_status(_fixture("ufw-status-verbose.txt")) == {"active": True, "incoming": "deny"}
    assert f.parse_ufw_status("Status: inactive\n") == {"active": False, "incoming": ""}


def test_ufw_command_adds_and_deletes_with_the_comment():
    assert f.ufw_command([2888], "10.0.0.2", "zookeeper") == [
        "ufw", "allow", "proto", "tcp", "from", "10.0.0.2", "to", "any", "port", "2888", "comment", "zookeeper"]
    assert f.ufw_command([2181, 2888, 3888], "10.0.0.2", "zookeeper")[9] == "2181,2888,3888"
    assert f.ufw_command([2181], "any", "zookeeper", delete=True)[:3] == ["ufw", "delete", "allow"]
    assert f.ufw_command([2181], "any", "")[-1] == "2181"


def test_multiport_tuples_give_one_pair_per_port_and_ranges_are_left_out():
    text = "\n".join([
        "### tuple ### allow tcp 2181,2888,3888 0.0.0.0/0 any 10.0.0.2 in comment=7a6f6f6b6565706572",
        "### tuple ### allow tcp 4000:4100,2181 0.0.0.0/0 any 10.0.0.3 in",
    ])
    rules = f.parse_ufw_rules(text)
    assert f.ufw_port_rules(rules) == [
        {"ports": [2181, 2888, 3888], "source": "10.0.0.2", "comment": "zookeeper", "ranges": False},
        {"ports": [2181], "source": "10.0.0.3", "comment": "", "ranges": True}]
    assert f.ufw_allowed(rules) == [[2181, "10.0.0.2"], [2888, "10.0.0.2"], [3888, "10.0.0.2"], [2181, "10.0.0.3"]]


def test_by_source_makes_one_rule_per_source_of_at_most_fifteen_ports():
    pairs = [[2181, "any"], [2181, "10.0.0.2"], [2888, "10.0.0.2"], [3888, "10.0.0.2"], [2888, "10.0.0.3"]]
    assert f.by_source(pairs) == [([2181], "any"), ([2181, 2888, 3888], "10.0.0.2"), ([2888], "10.0.0.3")]
    many = f.by_source([[port, "10.0.0.2"] for port in range(9000, 9020)])
    assert [len(ports) for ports, _ in many] == [15, 5]


def _tuples(*lines):
    return f.ufw_port_rules(f.parse_ufw_rules("\n".join("### tuple ### " + line for line in lines)))


def test_ufw_plan_adds_one_rule_per_peer():
    wanted = [[2181, "any"], [2181, "10.0.0.2"], [2888, "10.0.0.2"], [3888, "10.0.0.2"], [2888, "10.0.0.3"],
              [3888, "10.0.0.3"]]
    add, remove, commands = f.ufw_plan(wanted, [], [], "zookeeper")
    assert add == wanted and remove == []
    assert [command[9] for command in commands] == ["2181", "2181,2888,3888", "2888,3888"]
    # Nothing differs: no command. Single-port rules of an earlier version count as present.
    present = _tuples("allow tcp 2181 0.0.0.0/0 any 0.0.0.0/0 in",
                      "allow tcp 2181,2888,3888 0.0.0.0/0 any 10.0.0.2 in",
                      "allow tcp 2888 0.0.0.0/0 any 10.0.0.3 in",
                      "allow tcp 3888 0.0.0.0/0 any 10.0.0.3 in")
    assert f.ufw_plan(wanted, wanted, present, "zookeeper") == ([], [], [])


def test_ufw_plan_deletes_a_multiport_rule_whole_and_adds_its_wanted_ports_first():
    zk = "comment=7a6f6f6b6565706572"
    present = _tuples("allow tcp 2888,3888 0.0.0.0/0 any 10.0.0.2 in " + zk,
                      "allow tcp 2888,3888 0.0.0.0/0 any 10.0.0.3 in " + zk)
    made = [[2888, "10.0.0.2"], [3888, "10.0.0.2"], [2888, "10.0.0.3"], [3888, "10.0.0.3"]]
    # The election port of 10.0.0.2 moves to 3889; 10.0.0.3 left.
    wanted = [[2888, "10.0.0.2"], [3889, "10.0.0.2"]]
    add, remove, commands = f.ufw_plan(wanted, made, present, "zookeeper")
    assert add == [[3889, "10.0.0.2"], [2888, "10.0.0.2"]]
    assert remove == [[3888, "10.0.0.2"], [2888, "10.0.0.3"], [3888, "10.0.0.3"]]
    assert [" ".join(command) for command in commands] == [
        "ufw allow proto tcp from 10.0.0.2 to any port 2888,3889 comment zookeeper",
        "ufw delete allow proto tcp from 10.0.0.2 to any port 2888,3888 comment zookeeper",
        "ufw delete allow proto tcp from 10.0.0.3 to any port 2888,3888 comment zookeeper"]


def test_ufw_plan_leaves_rules_it_did_not_make():
    # An operator's multiport rule (no role comment) holding a port the ledger lists is not deleted, and the
    # port is not reported removed; an operator's single-port rule of a ledger pair is deleted as before.
    present = _tuples("allow tcp 2888,3888 0.0.0.0/0 any 10.0.0.3 in", "allow tcp 2181 0.0.0.0/0 any 10.0.0.4 in",
                      "allow tcp 2181 0.0.0.0/0 any 198.51.100.7 in")
    made = [[2888, "10.0.0.3"], [2181, "10.0.0.4"]]
    add, remove, commands = f.ufw_plan([], made, present, "zookeeper")
    assert add == [] and remove == [[2181, "10.0.0.4"]]
    assert commands == [["ufw", "delete", "allow", "proto", "tcp", "from", "10.0.0.4", "to", "any", "port", "2181"]]


def test_ufw_plan_never_deletes_a_rule_that_also_holds_a_range():
    # The role never makes a rule with a range: even with the role's comment on it, and a port of it in the
    # ledger, it is the operator's. Deleting it by its single ports would not match it anyway (ufw deletes by the
    # whole rule), and deleting it whole would close the range.
    zk = "comment=7a6f6f6b6565706572"
    for ports in ("2181,3000:3100", "2181,2888,3000:3100"):
        present = _tuples("allow tcp %s 0.0.0.0/0 any 10.0.0.4 in %s" % (ports, zk))
        made = [[2181, "10.0.0.4"]]
        assert f.ufw_plan([], made, present, "zookeeper") == ([], [], [])


def test_plan_adds_what_is_missing_and_removes_only_what_it_made():
    present = [[2181, "any"], [2888, "10.0.0.2"], [2888, "10.0.0.3"], [2181, "198.51.100.7"]]
    made = [[2181, "any"], [2888, "10.0.0.2"], [2888, "10.0.0.3"], [3888, "10.0.0.3"]]
    wanted = [[2181, "any"], [2888, "10.0.0.2"], [3888, "10.0.0.2"]]
    add, remove = f.plan(wanted, made, present)
    assert add == [[3888, "10.0.0.2"]]
    # 10.0.0.3 left: its rule is removed; its 3888 rule is gone already; the operator's 198.51.100.7 stays.
    assert remove == [[2888, "10.0.0.3"]]
    assert f.plan(wanted, wanted, wanted) == ([], [])


def test_rich_rule_matches_firewalld_normal_form():
    assert f.rich_rule([2888, "10.0.0.2"]) == (
        'rule family="ipv4" source address="10.0.0.2" port port="2888" protocol="tcp" accept')
    assert 'family="ipv6"' in f.rich_rule([2888, "2001:db8::2"])


def test_firewalld_listing_gives_the_allowed_pairs():
    listing = f.parse_firewalld_list_all(_fixture("firewalld-list-all.txt"))
    allowed = f.firewalld_allowed(listing)
    assert [2181, "any"] in allowed
    assert all(port in (2181, 2888, 3888) for port, _ in allowed)
    assert {source for _, source in allowed} - {"any"}, "the rich rules were not read"


def test_the_ledger_keeps_only_what_the_module_made():
    wanted = [[2181, "any"], [2888, "10.0.0.2"], [3888, "10.0.0.2"]]
    # [2181, any] was the operator's before the role came: wanted, present, never made by the module.
    made = [[2888, "10.0.0.2"], [2888, "10.0.0.3"]]
    assert f.ledger_after(wanted, made, [[3888, "10.0.0.2"]]) == [[2888, "10.0.0.2"], [3888, "10.0.0.2"]]
    # So when it is no longer wanted, it is not removed.
    assert f.plan([], f.ledger_after(wanted, made, [[3888, "10.0.0.2"]]), wanted)[1] == [
        [2888, "10.0.0.2"], [3888, "10.0.0.2"]]
