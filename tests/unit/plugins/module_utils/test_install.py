"""Decisions from one read of the host (module_utils/install.py, ensemble.roll_needed): which releases to prune,
which files and directories to write, whether the account needs the user module, whether the roll must ask the
servers. Each decides whether a module runs on the host, so each is checked both ways."""
import hashlib

import pytest

from ansible_collections.zkforge.zookeeper.plugins.module_utils import ensemble, install

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
