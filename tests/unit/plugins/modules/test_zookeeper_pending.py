"""zookeeper_pending run by ansible on this machine (local connection) against real files, and against a real
socket answering 'srvr' with output captured from a ZooKeeper 3.9.3 follower."""
import pytest

from conftest import closed_port, run_module
from test_server_info import FIXTURES, _FourLetterServer

def _pending(tmp_path, *args, check=False):
    return run_module(tmp_path, "zookeeper_pending", *args, check=check)


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
