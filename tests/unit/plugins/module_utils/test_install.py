"""Decisions from one read of the host (module_utils/install.py, ensemble.roll_needed): which releases to prune,
which files and directories to write, whether the account needs the user module, whether the roll must ask the
servers. Each decides whether a module runs on the host, so each is checked both ways."""
import hashlib

import pytest

from ansible_collections.zkforge.zookeeper.plugins.module_utils import ensemble, install, parsers

ZOO_CFG = "tickTime=2000\n"
FILE = {"exists": True, "is_dir": False, "owner": "root", "group": "zookeeper", "mode": "0640",
        "checksum": hashlib.sha1(ZOO_CFG.encode()).hexdigest()}
DIRECTORY = {"exists": True, "is_dir": True, "owner": "zookeeper", "group": "zookeeper", "mode": "0750",
             "empty": False, "marked": False}


def _release(version, complete=True):
    return {"name": "apache-zookeeper-%s-bin" % version, "version": version, "complete": complete}


def test_releases_beyond_keep_are_removed_oldest_first_by_version():
    releases = [_release(v) for v in ("3.8.0", "3.8.4", "3.9.10", "3.9.3", "3.10.0")]
    # Wanted 3.10.0, current 3.9.10: the candidates by version are 3.9.3, 3.8.4, 3.8.0; keep the two newest.
    assert install.releases_to_remove(releases, "apache-zookeeper-3.10.0-bin", "apache-zookeeper-3.9.10-bin", 2) == [
        "apache-zookeeper-3.8.0-bin"]
    assert install.releases_to_remove(releases, "apache-zookeeper-3.10.0-bin", "apache-zookeeper-3.9.10-bin", 0) == [
        "apache-zookeeper-3.9.3-bin", "apache-zookeeper-3.8.4-bin", "apache-zookeeper-3.8.0-bin"]
    assert install.releases_to_remove([], "apache-zookeeper-3.9.3-bin", "", 2) == []


def test_a_file_that_matches_is_left_alone():
    assert install.differs(FILE, "root", "zookeeper", "0640", ZOO_CFG) is False


@pytest.mark.parametrize("state, content", [
    (dict(FILE, checksum="0" * 40), ZOO_CFG),
    (dict(FILE, mode="0644"), ZOO_CFG),
    (dict(FILE, owner="zookeeper"), ZOO_CFG),
    (dict(FILE, group="root"), ZOO_CFG),
    ({"exists": False}, ZOO_CFG),
    (None, ZOO_CFG),
    (dict(FILE, error="Permission denied"), ZOO_CFG),
    (DIRECTORY, ZOO_CFG),  # a directory where the file belongs
    (FILE, None),  # a file where a directory belongs
])
def test_anything_else_is_written(state, content):
    owner, group = ("root", "zookeeper") if content else ("zookeeper", "zookeeper")
    assert install.differs(state, owner, group, "0640" if content else "0750", content) is True


ACCOUNT = {"account": {"exists": True, "uid": 998, "gid": 997, "home": "/var/lib/zookeeper",
                       "shell": "/usr/sbin/nologin", "comment": "Apache ZooKeeper (zkforge.zookeeper)"},
           "group": {"exists": True, "gid": 997}}


def test_account_as_the_role_makes_it_needs_no_change():
    assert install.account_differs(ACCOUNT) is False


@pytest.mark.parametrize("change", [
    {"account": {"exists": False}}, {"group": {"exists": False}},
    {"account": dict(ACCOUNT["account"], shell="/bin/bash")},
    {"account": dict(ACCOUNT["account"], gid=100)},
    {"account": dict(ACCOUNT["account"], comment="")},
])
def test_account_that_differs_is_handed_to_the_user_module(change):
    assert install.account_differs(dict(ACCOUNT, **change)) is True


def test_roll_needed_only_when_a_server_was_or_became_pending():
    quiet = {"zk1": {"_zookeeper_was_pending": False}, "zk2": {"_zookeeper_was_pending": False,
                                                             "_zookeeper_restart_marked": {"skipped": True}}}
    assert ensemble.roll_needed(["zk1", "zk2"], quiet) is False
    assert ensemble.roll_needed(["zk1", "zk2"], dict(quiet, zk2={"_zookeeper_was_pending": True})) is True
    marked = dict(quiet, zk1={"_zookeeper_was_pending": False, "_zookeeper_restart_marked": {"changed": True}})
    assert ensemble.roll_needed(["zk1", "zk2"], marked) is True
    # A host without a preflight result in this play: the survey asks.
    assert ensemble.roll_needed(["zk1", "zk3"], dict(quiet, zk3={})) is True
    assert ensemble.roll_needed(["zk1"], {"zk1": {"_zookeeper_roll_request_all": True}}) is True


# zoo.cfg under dynamic reconfiguration, as real servers left it (3.8.0 and 3.9.3 on loopback, tests/localzk.py):
# the role's file (settings, then the server lines) and the one ZooKeeper rewrote once the ensemble formed, in an
# order of its own, without comments, the server lines moved to zoo.cfg.dynamic.100000000.
ROLE_WRITES = """# Managed by Ansible
tickTime=2000
dataDir=/var/lib/zookeeper
clientPort=2181
reconfigEnabled=true
standaloneEnabled=false
DigestAuthenticationProvider.superDigest=super:0bX78nEegDzJM3ju0iLBEJdWzjg=
peerType=observer
server.1=zk1:2888:3888
server.2=zk2:2888:3888
server.3=zk3:2888:3888:observer
"""
ZOOKEEPER_REWROTE = """dataDir=/var/lib/zookeeper
standaloneEnabled=false
DigestAuthenticationProvider.superDigest=super:0bX78nEegDzJM3ju0iLBEJdWzjg=
reconfigEnabled=true
clientPort=2181
tickTime=2000
dynamicConfigFile=/etc/zookeeper/zoo.cfg.dynamic.100000000
"""
DYNAMIC_FILE = {"exists": True, "is_dir": False, "owner": "zookeeper", "group": "zookeeper", "mode": "0640",
        "checksum": hashlib.sha1(ZOOKEEPER_REWROTE.encode()).hexdigest()}


def _config(text):
    return {"exists": True, "values": {}, "fingerprint": parsers.properties_fingerprint(text)}


def test_zookeepers_rewrite_of_zoo_cfg_is_no_change():
    assert install.differs(DYNAMIC_FILE, "zookeeper", "zookeeper", "0640", ROLE_WRITES, _config(ZOOKEEPER_REWROTE)) is False
    # Its client port moved into the server's own spec too (a reconfig that named it): still no change.
    without_client = ZOOKEEPER_REWROTE.replace("clientPort=2181\n", "")
    assert install.differs(DYNAMIC_FILE, "zookeeper", "zookeeper", "0640", ROLE_WRITES, _config(without_client)) is False


@pytest.mark.parametrize("change", [("tickTime=2000", "tickTime=3000"), ("reconfigEnabled=true\n", ""),
                                    ("clientPort=2181", "clientPort=2182")])
def test_a_setting_the_role_writes_is_still_a_change(change):
    assert install.differs(DYNAMIC_FILE, "zookeeper", "zookeeper", "0640", ROLE_WRITES.replace(*change),
                           _config(ZOOKEEPER_REWROTE)) is True


def test_a_static_zoo_cfg_is_compared_byte_for_byte():
    static = ROLE_WRITES
    state = dict(DYNAMIC_FILE, checksum=hashlib.sha1(static.encode()).hexdigest())
    assert install.differs(state, "zookeeper", "zookeeper", "0640", static, _config(static)) is False
    assert install.differs(state, "zookeeper", "zookeeper", "0640", "# comment\n" + static, _config(static)) is True


def test_the_fingerprint_carries_no_values():
    fingerprint = parsers.properties_fingerprint(ZOOKEEPER_REWROTE)
    assert "0bX78nEegDzJM3ju0iLBEJdWzjg" not in repr(fingerprint) and len(fingerprint) == 7


def test_to_write_keeps_what_differs_once_and_drops_settings_only():
    host = {"paths": {"/var/lib/zookeeper": DIRECTORY},
            "files": {"/etc/zookeeper/zoo.cfg": DYNAMIC_FILE, "/etc/zookeeper/zookeeper.env": FILE},
            "config": _config(ZOOKEEPER_REWROTE)}
    data = {"path": "/var/lib/zookeeper", "owner": "zookeeper", "group": "zookeeper", "mode": "0750"}
    logs = {"path": "/var/log/zookeeper", "owner": "zookeeper", "group": "zookeeper", "mode": "0750"}
    # The transaction log in the data directory: asked twice, in place, left out; the log directory is missing.
    assert install.to_write([data, dict(data), logs], host) == [logs]
    zoo_cfg = {"path": "/etc/zookeeper/zoo.cfg", "content": ROLE_WRITES, "owner": "zookeeper", "group": "zookeeper",
               "mode": "0640", "settings_only": True}
    env = {"path": "/etc/zookeeper/zookeeper.env", "content": "JVMFLAGS=\n", "owner": "root", "group": "zookeeper",
           "mode": "0640"}
    # ZooKeeper's own rewrite of zoo.cfg is no change; the environment file's content differs.
    assert install.to_write([zoo_cfg, env], host) == [env]
    # Byte for byte without settings_only, and the key is not handed to the module.
    assert install.to_write([dict(zoo_cfg, settings_only=False)], host) == [dict(zoo_cfg, settings_only=False)][:0] + [
        {k: v for k, v in zoo_cfg.items() if k != "settings_only"}]
    # A setting the role writes changed: written.
    assert install.to_write([dict(zoo_cfg, content=ROLE_WRITES.replace("2000", "3000"))], host)[0]["content"].count(
        "tickTime=3000") == 1


SHA512 = hashlib.sha512(b"release").hexdigest()


@pytest.mark.parametrize("text, expected", [
    ("%s  apache-zookeeper-3.9.3-bin.tar.gz\n" % SHA512, SHA512),
    ("%s\n" % SHA512.upper(), SHA512),
    # gpg --print-md SHA512: upper case, in groups of eight, wrapped under the file name.
    ("apache-zookeeper-3.8.0-bin.tar.gz: %s\n" % "\n".join(
        " ".join(SHA512.upper()[i:i + 8] for i in range(j, min(j + 64, 128), 8)) for j in (0, 64)), SHA512),
    ("<html>404 Not Found</html>", ""),
    ("%s  truncated\n" % SHA512[:100], ""),
    ("", ""),
])
def test_parse_sha512_reads_both_published_formats(text, expected):
    assert install.parse_sha512(text) == expected
