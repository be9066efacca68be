"""The collection's wire-protocol client (module_utils/session.py) against real ZooKeeper servers on loopback
(tests/localzk.py: the test mirror's repackaged Debian builds run by this machine's Java 17), 3.8.0 and 3.9.3:
reading the dynamic configuration, reconfig as the super user, and every refusal an operator can meet."""
import json
import time

import pytest

from ansible_collections.zkforge.zookeeper.plugins.module_utils.client import ZooKeeperError
from ansible_collections.zkforge.zookeeper.plugins.module_utils.membership import parse_config, voters
from ansible_collections.zkforge.zookeeper.plugins.module_utils.session import Session, SessionError
import localzk  # tests/localzk.py (tests/ is on sys.path through tests/conftest.py)

PASSWORD = "super-test-password-session"


@pytest.fixture(scope="module", params=["3.8.0", "3.9.3"])
def ensemble(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp("zk-%s" % request.param)
    zk = localzk.Ensemble(localzk.unpack(request.param, directory), directory, 6, PASSWORD)
    try:
        for sid in (1, 2, 3):
            zk.start(sid, members=[1, 2, 3])
        zk.wait_serving([1, 2, 3])
        zk.version = request.param
        yield zk
    finally:
        zk.close()


def _session(zk, sid, authenticated=True):
    session = Session("127.0.0.1", zk.servers[sid]["client"], 5.0)
    if authenticated:
        session.authenticate("digest", "super:" + PASSWORD)
    return session


def _configs(zk, sids):
    found = {}
    for sid in sids:
        with _session(zk, sid, authenticated=False) as session:
            found[sid] = session.get_config()
    return found


def test_every_server_reports_the_configuration_it_started_with(ensemble):
    configs = _configs(ensemble, [1, 2, 3])
    assert len(set(configs.values())) == 1
    config = parse_config(configs[1])
    assert voters(config["members"]) == [1, 2, 3]
    assert config["version"] is not None
    assert config["members"][2]["client_port"] == ensemble.servers[2]["client"]


def test_reconfig_needs_the_super_user(ensemble):
    with _session(ensemble, 1, authenticated=False) as session:
        with pytest.raises(SessionError) as refused:
            session.reconfig(leaving=[3])
    assert refused.value.code == -102 and "NOAUTH" in str(refused.value)
    assert voters(parse_config(_configs(ensemble, [1])[1])["members"]) == [1, 2, 3]


def test_a_wrong_super_password_is_not_the_super_user(ensemble):
    # Digest authentication accepts any password: the session just gets another identity, which the reconfig
    # operation then refuses.
    with Session("127.0.0.1", ensemble.servers[1]["client"], 5.0) as session:
        session.authenticate("digest", "super:not-the-password")
        with pytest.raises(SessionError) as refused:
            session.reconfig(leaving=[3])
    assert refused.value.code == -102 and "super user password is wrong" in str(refused.value)


def test_a_stale_configuration_version_is_refused(ensemble):
    with _session(ensemble, 2) as session:
        version = parse_config(session.get_config())["version"]
        with pytest.raises(SessionError) as refused:
            session.reconfig(leaving=[3], from_config=version - 1)
    assert refused.value.code == -103


def test_add_a_fourth_server_then_remove_it(ensemble):
    zk = ensemble
    # Started with the current members plus itself: it joins the leader as a non-voting follower and syncs.
    zk.start(4, members=[1, 2, 3, 4])
    zk.wait_serving([4])
    with _session(zk, 1) as session:
        before = parse_config(session.get_config())
        committed = parse_config(session.reconfig(joining=[zk.spec(4)], from_config=before["version"]))
    assert voters(committed["members"]) == [1, 2, 3, 4]
    assert committed["version"] > before["version"]
    with _session(zk, 4) as session:
        committed = parse_config(session.reconfig(leaving=[4]))
    assert voters(committed["members"]) == [1, 2, 3]
    zk.stop(4)
    # Every voter agrees on the final configuration, and the three still serve with one leader.
    assert len(set(_configs(zk, [1, 2, 3]).values())) == 1
    modes = zk.wait_serving([1, 2, 3])
    assert sorted(modes.values()) == ["follower", "follower", "leader"]


def test_zookeeper_admits_a_voter_that_does_not_run(ensemble):
    # What the collection must check itself: ZooKeeper commits a configuration whose quorum is reached without the
    # joining server (3 of 4 synced), so a voter that never started is accepted, and the ensemble then tolerates
    # no failure at all. The role adds a voter only once it is synced as a non-voting follower.
    zk = ensemble
    with _session(zk, 1) as session:
        committed = parse_config(session.reconfig(joining=[zk.spec(4)]))
        assert voters(committed["members"]) == [1, 2, 3, 4]
        committed = parse_config(session.reconfig(leaving=[4]))
    assert voters(committed["members"]) == [1, 2, 3]


def test_a_configuration_without_a_synced_quorum_is_refused(ensemble):
    # Three voters that do not run: the new configuration of six has no quorum (4) of synced servers.
    zk = ensemble
    with _session(zk, 1) as session:
        with pytest.raises(SessionError) as refused:
            session.reconfig(joining=[zk.spec(4), zk.spec(5), zk.spec(6)])
    assert refused.value.code == -13 and "NEWCONFIGNOQUORUM" in str(refused.value)
    assert voters(parse_config(_configs(zk, [1])[1])["members"]) == [1, 2, 3]


def test_a_closed_port_is_named(ensemble):
    with pytest.raises(ZooKeeperError, match="cannot connect"):
        Session("127.0.0.1", localzk.free_ports(1)[0], 2.0)


# The module that carries the session to managed nodes (modules/zookeeper_reconfig.py), run by ansible on this
# machine against the same servers.
def _reconfig(tmp_path, zk, check=False, **args):
    from conftest import run_module

    args.setdefault("servers", ["127.0.0.1:%d" % zk.servers[1]["client"]])
    return run_module(tmp_path, "zookeeper_reconfig", json.dumps(args), check=check)


def test_module_adds_and_removes_a_server_once(ensemble, tmp_path):
    zk = ensemble
    zk.start(4, members=[1, 2, 3, 4])
    zk.wait_serving([4])
    read = _reconfig(tmp_path, zk)
    assert not read.get("failed") and not read["changed"]
    assert read["before"]["members"] == [zk.spec(sid) for sid in (1, 2, 3)]
    dry = _reconfig(tmp_path, zk, check=True, joining=[zk.spec(4)], super_password=PASSWORD)
    assert dry["changed"] and dry["after"] == dry["before"]
    added = _reconfig(tmp_path, zk, joining=[zk.spec(4)], super_password=PASSWORD, from_config=read["before"]["version"])
    assert added["changed"] and added["after"]["members"] == [zk.spec(sid) for sid in (1, 2, 3, 4)], added
    assert added["after"]["version"] > added["before"]["version"]
    again = _reconfig(tmp_path, zk, joining=[zk.spec(4)], super_password=PASSWORD)
    assert not again["changed"] and again["after"]["version"] == added["after"]["version"]
    stale = _reconfig(tmp_path, zk, leaving=[4], super_password=PASSWORD, from_config=read["before"]["version"])
    assert stale["failed"] and "it changed since it was read" in stale["msg"]
    wrong = _reconfig(tmp_path, zk, leaving=[4], super_password="not-the-password")
    assert wrong["failed"] and "NOAUTH" in wrong["msg"] and "not-the-password" not in json.dumps(wrong)
    removed = _reconfig(tmp_path, zk, leaving=[4], super_password=PASSWORD)
    assert removed["changed"] and removed["after"]["members"] == [zk.spec(sid) for sid in (1, 2, 3)]
    zk.stop(4)


def test_module_refuses_a_spec_without_client_port(ensemble, tmp_path):
    result = _reconfig(tmp_path, ensemble, joining=["server.4=127.0.0.1:1:2:participant"], super_password=PASSWORD)
    assert result["failed"] and "names no client port" in result["msg"]


def test_module_removes_the_leader(ensemble, tmp_path):
    # Removing the leader: ZooKeeper hands leadership to another voter, and the servers drop their client
    # connections meanwhile, often before the reconfig's answer is sent. The module then looks for the change on
    # the servers and reports it done (connection_lost says what was lost); it fails only if no server shows it.
    zk = ensemble
    zk.start(4, members=[1, 2, 3, 4])
    zk.wait_serving([4])
    added = _reconfig(tmp_path, zk, joining=[zk.spec(4)], super_password=PASSWORD)
    assert added["changed"], added
    leader = zk.leader()
    follower = min(sid for sid in (1, 2, 3, 4) if sid != leader)
    servers = ["127.0.0.1:%d" % zk.servers[sid]["client"] for sid in (follower, leader)]
    removed = _reconfig(tmp_path, zk, servers=servers, leaving=[leader], super_password=PASSWORD)
    assert not removed.get("failed") and removed["changed"], removed
    assert zk.spec(leader) not in removed["after"]["members"] and len(removed["after"]["members"]) == 3
    staying = [sid for sid in (1, 2, 3, 4) if sid != leader]
    modes = zk.wait_serving(staying)
    assert sorted(modes.values()) == ["follower", "follower", "leader"], modes
    # Back as the other tests found it: the old leader (still running, without a vote) rejoins, 4 leaves.
    back = _reconfig(tmp_path, zk, servers=servers[:1], joining=[zk.spec(leader)], super_password=PASSWORD)
    assert back["changed"], back
    gone = _reconfig(tmp_path, zk, servers=servers[:1], leaving=[4], super_password=PASSWORD)
    assert gone["changed"], gone
    zk.stop(4)
    zk.wait_serving([1, 2, 3])


def _synced_followers(zk, leader, timeout=90):
    deadline = time.monotonic() + timeout
    while True:
        found = dict(line.split("\t", 1) for line in localzk.four_letter_word(zk.servers[leader]["client"], "mntr")
                     .splitlines() if "\t" in line)
        synced = int(found.get("zk_synced_followers", "0"))
        if synced == 2 or time.monotonic() > deadline:
            return synced
        time.sleep(0.25)


@pytest.mark.parametrize("sid", [1, 3])
def test_module_moves_a_stopped_server_to_a_new_place(ensemble, tmp_path, sid):
    # Replacing a dead server: its id on a new machine (here: new ports and an empty data directory). The new
    # server starts with the members plus itself at its new place, syncs from the leader, then reconfig moves the
    # id there. Server 1 is the lowest id: the other servers drop its election connections and dial the address
    # their configuration has for it, the dead one; server 3 is the highest.
    zk = ensemble
    others = [s for s in (1, 2, 3) if s != sid]
    zk.stop(sid)
    zk.wait_serving(others)
    (zk.directory / ("zk%d" % sid)).rename(zk.directory / ("zk%d-old-%s" % (sid, tmp_path.name)))
    old_spec = zk.spec(sid)
    quorum, election, client = localzk.free_ports(3)
    zk.servers[sid].update(quorum=quorum, election=election, client=client)
    zk.start(sid, members=[1, 2, 3])
    # Synced, the new server takes the leader's configuration, where its id is still at the old place: it
    # answers clients on the old client port until the reconfig (a real replacement keeps the port, 0.0.0.0).
    modes = zk.wait_serving(others)
    assert _synced_followers(zk, [s for s in others if modes[s] == "leader"][0]) == 2, modes
    servers = ["127.0.0.1:%d" % zk.servers[s]["client"] for s in others]
    moved = _reconfig(tmp_path, zk, servers=servers, joining=[zk.spec(sid)], super_password=PASSWORD)
    assert moved["changed"] and zk.spec(sid) in moved["after"]["members"], (modes, moved)
    assert old_spec not in moved["after"]["members"]
    configs = _configs(zk, [1, 2, 3])
    assert len(set(configs.values())) == 1, configs
    modes = zk.wait_serving([1, 2, 3])
    assert sorted(modes.values()) == ["follower", "follower", "leader"], modes


# Servers enforcing client SASL (enforce.auth.enabled, schemes sasl), as the role configures them with
# zookeeper_client_sasl_enforce: DIGEST-MD5 users in the JAAS Server context, the super user among them and named
# superUser. Every request of a session that has not logged in with SASL is refused, reading the configuration too.
@pytest.fixture(scope="module", params=["3.8.0", "3.9.3"])
def sasl_ensemble(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp("zk-sasl-%s" % request.param)
    zk = localzk.Ensemble(localzk.unpack(request.param, directory), directory, 4, PASSWORD,
                          sasl_users={"app": "app-test-password-session"})
    try:
        for sid in (1, 2, 3):
            zk.start(sid, members=[1, 2, 3])
        zk.wait_serving([1, 2, 3])
        yield zk
    finally:
        zk.close()


def test_enforcing_servers_refuse_a_session_without_sasl(sasl_ensemble):
    with Session("127.0.0.1", sasl_ensemble.servers[1]["client"], 5.0) as session:
        with pytest.raises(ZooKeeperError):
            session.get_config()


def test_sasl_login_reads_the_configuration(sasl_ensemble):
    with Session("127.0.0.1", sasl_ensemble.servers[2]["client"], 5.0) as session:
        session.login_sasl("app", "app-test-password-session")
        config = parse_config(session.get_config())
    assert voters(config["members"]) == [1, 2, 3]


def test_sasl_login_with_a_wrong_password_is_refused_by_name(sasl_ensemble):
    with Session("127.0.0.1", sasl_ensemble.servers[1]["client"], 5.0) as session:
        with pytest.raises(SessionError) as refused:
            session.login_sasl("super", "not-the-password")
    assert refused.value.code == -115 and "super" in str(refused.value)


def test_an_ordinary_sasl_user_may_not_reconfig(sasl_ensemble, tmp_path):
    zk = sasl_ensemble
    with Session("127.0.0.1", zk.servers[1]["client"], 5.0) as session:
        session.login_sasl("app", "app-test-password-session")
        with pytest.raises(SessionError) as refused:
            session.reconfig(leaving=[3])
    assert refused.value.code == -102


def test_module_adds_and_removes_a_server_as_the_sasl_super_user(sasl_ensemble, tmp_path):
    zk = sasl_ensemble
    zk.start(4, members=[1, 2, 3, 4])
    zk.wait_serving([4])
    digest_only = _reconfig(tmp_path, zk, joining=[zk.spec(4)], super_password=PASSWORD)
    assert digest_only.get("failed") and "SASL" in digest_only["msg"], digest_only
    added = _reconfig(tmp_path, zk, joining=[zk.spec(4)], super_password=PASSWORD, sasl=True)
    assert not added.get("failed") and added["changed"], added
    assert zk.spec(4) in added["after"]["members"]
    gone = _reconfig(tmp_path, zk, leaving=[4], super_password=PASSWORD, sasl=True)
    assert not gone.get("failed") and gone["changed"] and len(gone["after"]["members"]) == 3, gone
    again = _reconfig(tmp_path, zk, leaving=[4], super_password=PASSWORD, sasl=True)
    assert not again["changed"]
    zk.stop(4)
