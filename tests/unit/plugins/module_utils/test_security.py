"""The security chains: which rolls take a running ensemble from what its zoo.cfg files say to the inventory's
security settings, one interoperable state at a time; the super-user digest; the FIPS-mode trap."""
import subprocess

import pytest

from ansible_collections.zkforge.zookeeper.plugins.module_utils import security as sec

PLAIN = {"clientPort": "2181"}
HOSTS = ("zk1", "zk2", "zk3")


def _all(config):
    return {h: dict(config) for h in HOSTS}


def _settings(result, *keys):
    return [tuple(sec.state_settings(step)[k] for k in keys) for step in result["steps"]]


def test_quorum_tls_rolls_in_through_port_unification():
    result = sec.security_steps(_all(PLAIN), {"quorum_tls": 3})
    assert result["problems"] == []
    assert _settings(result, "portUnification", "sslQuorum") == [("true", "false"), ("true", "true"),
                                                                  ("false", "true")]


def test_quorum_tls_rolls_out_the_same_way_backwards():
    tls = dict(PLAIN, sslQuorum="true")
    result = sec.security_steps(_all(tls), {"quorum_tls": 0})
    assert _settings(result, "portUnification", "sslQuorum") == [("true", "true"), ("true", "false"),
                                                                  ("false", "false")]


def test_quorum_sasl_requires_learners_before_servers():
    result = sec.security_steps(_all(PLAIN), {"quorum_sasl": 3})
    assert _settings(result, "quorum.auth.enableSasl", "quorum.auth.learnerRequireSasl",
                     "quorum.auth.serverRequireSasl") == [("true", "false", "false"), ("true", "true", "false"),
                                                          ("true", "true", "true")]


def test_independent_chains_advance_together_one_state_per_roll():
    result = sec.security_steps(_all(PLAIN), {"quorum_tls": 3, "quorum_sasl": 3, "client_sasl": 2,
                                              "listeners": "tls"})
    assert len(result["steps"]) == 3
    assert [s["listeners"] for s in result["steps"]] == [1, 2, 2]
    assert [s["client_sasl"] for s in result["steps"]] == [1, 2, 2]
    last = sec.state_settings(result["steps"][-1])
    assert (last["clientPort"], last["secureClientPort"], last["enforce.auth.enabled"]) == (False, True, "true")


def test_nothing_to_roll_when_every_zoo_cfg_says_the_target():
    done = dict(PLAIN, secureClientPort="2281", sslQuorum="true", portUnification="false")
    assert sec.security_steps(_all(done), {"quorum_tls": 3, "listeners": "both"}) == {
        "steps": [], "problems": [], "listeners_seen": 1}


def test_a_run_stopped_while_writing_zoo_cfg_first_brings_the_laggards_along():
    configs = _all(dict(PLAIN, portUnification="true"))
    configs["zk3"] = dict(PLAIN)  # not yet written when the run stopped
    result = sec.security_steps(configs, {"quorum_tls": 3})
    assert [s["quorum_tls"] for s in result["steps"]] == [1, 2, 3]


def test_hand_edits_that_match_no_state_are_refused_by_name():
    configs = _all(PLAIN)
    configs["zk2"] = dict(PLAIN, **{"quorum.auth.learnerRequireSasl": "true"})  # required, yet SASL off
    result = sec.security_steps(configs, {"quorum_sasl": 3})
    assert result["steps"] == [] and "zk2" in result["problems"][0] and "quorum_sasl" in result["problems"][0]


def test_servers_two_states_apart_are_refused():
    configs = _all(PLAIN)
    configs["zk1"] = dict(PLAIN, portUnification="true", sslQuorum="true")
    result = sec.security_steps(configs, {"quorum_tls": 3})
    assert result["steps"] == [] and "2 states apart" in result["problems"][0]


def test_values_are_read_as_zookeeper_reads_them():
    assert sec.chain_position("quorum_tls", {"sslQuorum": "True ", "portUnification": "FALSE"}) == 3
    assert sec.chain_position("client_sasl", {}) == 0
    assert sec.listener_position({"secureClientPort": "2281"}) == 2 and sec.listener_position({}) is None


def test_digest_is_what_openssl_computes():
    expected = subprocess.run("printf %s 'super:s3cr3t pass' | openssl dgst -sha1 -binary | base64", shell=True,
                              capture_output=True, text=True, check=True).stdout.strip()
    assert sec.digest("super", "s3cr3t pass") == "super:" + expected


@pytest.mark.parametrize("version, sasl, off", [
    ("3.8.0", True, False), ("3.8.4", True, False), ("3.9.0", True, True), ("3.9.3", True, True),
    ("3.10.0", True, True), ("3.9.4", False, False),
])
def test_fips_mode_is_turned_off_only_where_it_refuses_digest_md5(version, sasl, off):
    assert sec.fips_mode_must_be_off(version, sasl) is off


def _hostvars(configs, running):
    return {h: {"_zookeeper_was_active": running, "_zookeeper_host": {"config": {"exists": c is not None,
                                                                                "values": c or {}}}}
            for h, c in configs.items()}


def test_a_first_bootstrap_writes_the_target_at_once():
    plan = sec.security_plan(list(HOSTS), _hostvars({h: None for h in HOSTS}, False), {"quorum_tls": "3"})
    assert {k: plan[k] for k in ("now", "later", "problems")} == {"now": {"quorum_tls": 3}, "later": [], "problems": []}


def test_a_running_ensemble_writes_the_first_step_now_and_rolls_the_others_later():
    plan = sec.security_plan(list(HOSTS), _hostvars(_all(PLAIN), True), {"quorum_tls": "3"})
    assert (plan["now"], plan["later"]) == ({"quorum_tls": 1}, [{"quorum_tls": 2}, {"quorum_tls": 3}])


def test_a_running_ensemble_already_there_has_nothing_later():
    done = dict(PLAIN, sslQuorum="true", portUnification="false")
    plan = sec.security_plan(list(HOSTS), _hostvars(_all(done), True), {"quorum_tls": "3"})
    assert (plan["now"], plan["later"], plan["problems"]) == ({"quorum_tls": 3}, [], [])


def test_problems_stop_the_plan():
    configs = _all(PLAIN)
    configs["zk1"] = dict(PLAIN, sslQuorum="true", portUnification="true")
    plan = sec.security_plan(list(HOSTS), _hostvars(configs, True), {"quorum_tls": "3"})
    assert plan["later"] == [] and plan["problems"]


@pytest.mark.parametrize("value, length, safe", [
    ("correct horse battery", 21, True),
    ("", 0, False),
    ('with "quote"', 12, False),
    ("back\\slash", 10, False),
    ("two\nlines", 9, False),
    ("semi;colon", 10, False),
])
def test_a_secret_is_described_never_shown(value, length, safe):
    shape = sec.secret_shape(value)
    assert shape["type"] == "str" and shape["length"] == length and shape["jaas_safe"] is safe
    assert value == "" or value not in repr(shape)


def test_same_secret_same_fingerprint_other_secret_other():
    assert sec.secret_shape("one password")["fingerprint"] == sec.secret_shape("one password")["fingerprint"]
    assert sec.secret_shape("one password")["fingerprint"] != sec.secret_shape("two password")["fingerprint"]
    assert sec.secret_shape("")["fingerprint"] == ""


def test_a_secret_of_another_type_is_told_by_its_type():
    assert sec.secret_shape(12345678) == {"type": "int", "length": 0, "jaas_safe": False, "fingerprint": ""}
    assert sec.secret_shape(None)["type"] == "NoneType"


def test_client_sasl_and_quorum_sasl_move_with_quorum_tls_in_three_rolls():
    configs = dict((h, {}) for h in ("a", "b", "c"))
    steps = sec.security_steps(configs, {"quorum_tls": 3, "quorum_sasl": 3, "client_sasl": 2})["steps"]
    assert steps == [{"quorum_tls": 1, "quorum_sasl": 1, "client_sasl": 1},
                     {"quorum_tls": 2, "quorum_sasl": 2, "client_sasl": 2},
                     {"quorum_tls": 3, "quorum_sasl": 3, "client_sasl": 2}]
    assert sec.state_settings(steps[0]) == {
        "portUnification": "true", "sslQuorum": "false", "quorum.auth.enableSasl": "true",
        "quorum.auth.learnerRequireSasl": "false", "quorum.auth.serverRequireSasl": "false",
        "authProvider.sasl": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
        "enforce.auth.enabled": "false"}


def test_servers_waiting_for_their_restart_are_brought_along_before_the_next_state():
    # A run stopped during the first roll: every zoo.cfg says port unification (1), but two servers still run
    # plaintext (0). Writing sslQuorum now would put them two states apart; the first roll stays at 1.
    configs = dict((h, {"portUnification": "true", "sslQuorum": "false"}) for h in ("a", "b", "c"))
    hostvars = _hostvars(configs, True)
    for host in ("b", "c"):
        hostvars[host]["_zookeeper_was_pending"] = True
    plan = sec.security_plan(["a", "b", "c"], hostvars, {"quorum_tls": 3})
    assert {k: plan[k] for k in ("now", "later", "problems")} == {
        "now": {"quorum_tls": 1}, "later": [{"quorum_tls": 2}, {"quorum_tls": 3}], "problems": []}
    hostvars["b"]["_zookeeper_was_pending"] = hostvars["c"]["_zookeeper_was_pending"] = False
    plan = sec.security_plan(["a", "b", "c"], hostvars, {"quorum_tls": 3})
    assert plan["now"] == {"quorum_tls": 2} and plan["later"] == [{"quorum_tls": 3}]


def test_sasl_stays_in_use_while_a_running_ensemble_rolls_it_off():
    on = {"quorum.auth.enableSasl": "true", "quorum.auth.learnerRequireSasl": "true",
          "quorum.auth.serverRequireSasl": "true"}
    hostvars = _hostvars(dict((h, on) for h in ("a", "b", "c")), True)
    plan = sec.security_plan(["a", "b", "c"], hostvars, {"quorum_sasl": 0})
    assert plan["now"] == {"quorum_sasl": 2} and plan["later"] == [{"quorum_sasl": 1}, {"quorum_sasl": 0}]
    assert plan["in_use"]["quorum_sasl"] is True
    # Next run: every server is off; nothing uses it any more.
    off = _hostvars(dict((h, {}) for h in ("a", "b", "c")), True)
    assert sec.security_plan(["a", "b", "c"], off, {"quorum_sasl": 0})["in_use"]["quorum_sasl"] is False
    # A first bootstrap with it on uses it at once.
    fresh = _hostvars(dict((h, None) for h in ("a", "b", "c")), False)
    assert sec.security_plan(["a", "b", "c"], fresh, {"quorum_sasl": 3})["in_use"] == {
        "quorum_tls": False, "quorum_sasl": True, "client_sasl": False}


def test_checks_use_the_tls_port_in_every_roll_where_a_server_lacks_the_plaintext_one():
    both = dict(PLAIN, secureClientPort="2281")
    hostvars = _hostvars(_all(both), True)
    # both -> tls: one roll; servers lose the plaintext port during it, so its checks use TLS.
    plan = sec.security_plan(list(hostvars), hostvars, {"listeners": "tls"})
    assert plan["now"] == {"listeners": 2} and plan["later"] == [] and plan["checks_tls"] == [True]
    # plaintext -> tls: the first roll adds the TLS port (plaintext checks), the second drops plaintext (TLS).
    hostvars = _hostvars(_all(PLAIN), True)
    plan = sec.security_plan(list(hostvars), hostvars, {"listeners": "tls"})
    assert [plan["now"]] + plan["later"] == [{"listeners": 1}, {"listeners": 2}]
    assert plan["checks_tls"] == [False, True]
    # tls -> both: the roll brings plaintext back; until it is done some servers lack it.
    tls_only = {"secureClientPort": "2281"}
    hostvars = _hostvars(_all(tls_only), True)
    assert sec.security_plan(list(hostvars), hostvars, {"listeners": "both"})["checks_tls"] == [True]
    assert sec.checks_over_tls(list(hostvars), hostvars) is True
    assert sec.checks_over_tls(list(hostvars), _hostvars(_all(both), True)) is False
    # A first bootstrap straight to TLS only checks over TLS.
    fresh = _hostvars({"a": None, "b": None, "c": None}, False)
    assert sec.security_plan(["a", "b", "c"], fresh, {"listeners": "tls"})["checks_tls"] == [True]


def test_a_client_port_zookeeper_moved_into_its_dynamic_file_is_still_served():
    # A server added by reconfig: ZooKeeper took clientPort out of its zoo.cfg (the spec carries it).
    from ansible_collections.zkforge.zookeeper.plugins.module_utils.security import listener_position

    moved = {"dynamicConfigFile": "/etc/zookeeper/zoo.cfg.dynamic.100000002"}
    assert listener_position(moved) == 0
    assert listener_position(dict(moved, secureClientPort="2281")) == 1
    assert listener_position({"secureClientPort": "2281"}) == 2
