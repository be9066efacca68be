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
    assert f.ufw_command([2888, "10.0.0.2"], "zookeeper") == [
        "ufw", "allow", "proto", "tcp", "from", "10.0.0.2", "to", "any", "port", "2888", "comment", "zookeeper"]
    assert f.ufw_command([2181, "any"], "zookeeper", delete=True)[:3] == ["ufw", "delete", "allow"]


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
