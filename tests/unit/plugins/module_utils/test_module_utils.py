"""Parsers and the four-letter-word client, on output captured from the harness's real servers and on a real
TCP server in the test process for each failure mode."""
import socket
import threading
from pathlib import Path

import pytest

from ansible_collections.zkforge.zookeeper.plugins.module_utils import client, parsers
from conftest import closed_port

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"  # tests/unit/fixtures


def _fixture(name):
    return (FIXTURES / name).read_text()


@pytest.mark.parametrize("name, mode, version, zxid_hex, epoch, znodes", [
    ("srvr-3.8.0-leader.txt", "leader", "3.8.0", "0x100000023", 1, 12),
    ("srvr-3.8.0-follower.txt", "follower", "3.8.0", None, 1, None),
])
def test_parse_srvr_real_output(name, mode, version, zxid_hex, epoch, znodes):
    result = parsers.parse_srvr(_fixture(name))
    assert result["serving"] is True
    assert result["mode"] == mode
    assert result["version"] == version
    assert result["zxid"]["epoch"] == epoch
    if zxid_hex:
        assert result["zxid"]["hex"] == zxid_hex
        assert result["zxid"]["int"] == int(zxid_hex, 16)
    if znodes:
        assert result["znode_count"] == znodes
    assert set(result["latency"]) == {"min", "avg", "max"}


def test_parse_srvr_not_serving():
    result = parsers.parse_srvr(_fixture("srvr-3.8.0-not-serving.txt"))
    assert result == {"serving": False, "mode": "not_serving", "raw": {}}


def test_parse_srvr_garbage_is_an_error():
    with pytest.raises(ValueError, match="no known Mode"):
        parsers.parse_srvr("HTTP/1.1 400 Bad Request\r\n\r\n")


@pytest.mark.parametrize("text, expected", [
    ("zk1:2181", ("zk1", 2181)),
    ("zk1", ("zk1", 2181)),
    ("10.0.0.1:12181", ("10.0.0.1", 12181)),
    ("[::1]:2181", ("::1", 2181)),
    ("[fe80::1]", ("fe80::1", 2181)),
])
def test_split_server(text, expected):
    assert parsers.split_server(text) == expected


def test_parse_zxid():
    assert parsers.parse_zxid("0x300000007") == {"hex": "0x300000007", "int": 0x300000007, "epoch": 3, "counter": 7}


class _OneShotServer:
    """A real TCP server on loopback answering one connection with `behaviour`."""

    def __init__(self, behaviour):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, args=(behaviour,), daemon=True)
        self.thread.start()

    def _serve(self, behaviour):
        conn, _ = self.sock.accept()
        with conn:
            conn.recv(4)
            behaviour(conn)

    def close(self):
        self.sock.close()


@pytest.fixture
def server():
    servers = []

    def make(behaviour):
        srv = _OneShotServer(behaviour)
        servers.append(srv)
        return srv

    yield make
    for srv in servers:
        srv.close()


def test_four_letter_word_reads_until_close(server):
    srv = server(lambda conn: conn.sendall(_fixture("srvr-3.8.0-leader.txt").encode()))
    assert "Mode: leader" in client.four_letter_word("127.0.0.1", srv.port, "srvr", 2)


def test_not_whitelisted(server):
    srv = server(lambda conn: conn.sendall(_fixture("mntr-3.8.0-not-whitelisted.txt").encode()))
    with pytest.raises(client.ZooKeeperError, match="not in the server's 4lw.commands.whitelist"):
        client.four_letter_word("127.0.0.1", srv.port, "mntr", 2)


def test_half_closed_without_answer(server):
    srv = server(lambda conn: None)
    with pytest.raises(client.ZooKeeperError, match="closed the connection without answering 'srvr'"):
        client.four_letter_word("127.0.0.1", srv.port, "srvr", 2)


def test_no_answer_times_out(server):
    release = threading.Event()
    srv = server(lambda conn: release.wait(5))
    with pytest.raises(client.ZooKeeperError, match="no complete answer to 'srvr' within 0.3s"):
        client.four_letter_word("127.0.0.1", srv.port, "srvr", 0.3)
    release.set()


def test_connection_refused():
    port = closed_port()
    with pytest.raises(client.ZooKeeperError, match="cannot connect"):
        client.four_letter_word("127.0.0.1", port, "srvr", 1)


def test_server_state_never_raises(server):
    srv = server(lambda conn: conn.sendall(b"garbage\n"))
    state = client.server_info("127.0.0.1:%d" % srv.port, {"connect_timeout": 2}, details=False)
    assert state["reachable"] is True
    assert state["serving"] is False
    assert "no known Mode" in state["error"]
