"""zookeeper_pending run by ansible on this machine (local connection) against real files, and against a real
socket answering 'srvr' with output captured from a ZooKeeper 3.9.3 follower."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import closed_port
from test_server_info import FIXTURES, _FourLetterServer

ROOT = Path(__file__).resolve().parents[4]


def _pending(tmp_path, *args, check=False):
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"), ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
               ANSIBLE_STDOUT_CALLBACK="results_json",
               ANSIBLE_CALLBACK_PLUGINS=str(ROOT / "tests/unit/callback_plugins"))
    command = [str(Path(sys.executable).parent / "ansible"), "localhost", "-c", "local",
               "-e", "ansible_python_interpreter=%s" % sys.executable,
               "-m", "zkforge.zookeeper.zookeeper_pending", "-a", " ".join(args)] + (["--check"] if check else [])
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    return result


def test_present_makes_an_empty_marker_once(tmp_path):
    marker = tmp_path / "restart-required"
    first = _pending(tmp_path, "path=%s" % marker, "state=present")
    assert (first["changed"], first["existed"], first["pending"], first["release"]) == (True, False, True, "")
    assert marker.read_text() == ""
    second = _pending(tmp_path, "path=%s" % marker, "state=present")
    assert (second["changed"], second["existed"], second["pending"]) == (False, True, True)


def test_present_keeps_the_release_a_marker_names(tmp_path):
    marker = tmp_path / "restart-required"
    marker.write_text("apache-zookeeper-3.9.3-bin\n")
    result = _pending(tmp_path, "path=%s" % marker, "state=present")
    assert (result["changed"], result["release"]) == (False, "apache-zookeeper-3.9.3-bin")
    assert marker.read_text() == "apache-zookeeper-3.9.3-bin\n"


def test_query_changes_nothing_and_absent_removes(tmp_path):
    marker = tmp_path / "restart-required"
    query = _pending(tmp_path, "path=%s" % marker)
    assert (query["changed"], query["existed"], query["pending"]) == (False, False, False)
    assert not marker.exists()
    marker.write_text("")
    removed = _pending(tmp_path, "path=%s" % marker, "state=absent")
    assert (removed["changed"], removed["existed"], removed["pending"]) == (True, True, False)
    assert not marker.exists()


def test_check_mode_reports_without_making(tmp_path):
    marker = tmp_path / "restart-required"
    result = _pending(tmp_path, "path=%s" % marker, "state=present", check=True)
    assert (result["changed"], result["pending"]) == (True, True)
    assert not marker.exists()


@pytest.mark.parametrize("answering", [True, False], ids=["follower", "nothing listening"])
def test_mode_of_the_local_server(tmp_path, answering):
    if answering:
        server = _FourLetterServer({"srvr": (FIXTURES / "srvr-3.9.3-follower.txt").read_text()})
        address, expected = server.address, "follower"
    else:
        address, expected = "127.0.0.1:%d" % closed_port(), "unreachable"
    result = _pending(tmp_path, "path=%s" % (tmp_path / "marker"), "server=%s" % address, "connect_timeout=1")
    assert result["mode"] == expected
    assert result["pending"] is False
