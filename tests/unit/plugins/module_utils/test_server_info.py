"""server_info against real sockets in the test process: a four-letter-word server answering with captured
output, and an HTTP AdminServer stand-in, for every way a server can answer or fail."""
import http.server
import json
import socketserver
import threading
from pathlib import Path

import pytest

from ansible_collections.zkforge.zookeeper.plugins.module_utils import client, ensemble
from conftest import closed_port

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"  # tests/unit/fixtures
NOT_WHITELISTED = "%s is not executed because it is not in the whitelist.\n"


class _FourLetterServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answers):
        self.answers = answers

        class Handler(socketserver.BaseRequestHandler):
            def handle(inner):
                word = inner.request.recv(4).decode()
                answer = answers.get(word, NOT_WHITELISTED % word)
                if answer is not None:
                    inner.request.sendall(answer.encode())

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def address(self):
        return "127.0.0.1:%d" % self.server_address[1]


class _AdminServer(http.server.ThreadingHTTPServer):
    def __init__(self, routes):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(inner):
                status, body = routes.get(inner.path, (404, "not found"))
                inner.send_response(status)
                inner.end_headers()
                inner.wfile.write(body.encode())

            def log_message(inner, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture(autouse=True)
def _fresh_admin_memo():
    client._ADMIN_UNREACHABLE.clear()


def _fixture(name):
    return (FIXTURES / name).read_text()


def _params(**extra):
    params = {"connect_timeout": 2, "method": "auto", "admin_port": closed_port(), "admin_host": None}
    params.update(extra)
    return params


def test_default_whitelist_still_reports_mode_version_zxid_and_says_what_is_missing():
    srv = _FourLetterServer({"srvr": _fixture("srvr-3.9.3-leader.txt")})
    info = client.server_info(srv.address, _params())
    assert (info["mode"], info["version"], info["zxid"]["hex"]) == ("leader", "3.9.3", "0x100000000")
    assert info["synced_followers"] is None
    assert any(m.startswith("mntr:") and "whitelist" in m for m in info["missing"])
    assert any(m.startswith("conf:") and "whitelist" in m for m in info["missing"])
    assert any(m.startswith("admin:") and "cannot connect" in m for m in info["missing"])


def test_whitelisted_mntr_and_conf_give_the_leader_details():
    srv = _FourLetterServer({"srvr": _fixture("srvr-3.9.3-leader.txt"), "mntr": _fixture("mntr-3.9.3-leader.txt"),
                             "conf": _fixture("conf-3.9.3-leader.txt")})
    info = client.server_info(srv.address, _params())
    assert (info["server_id"], info["synced_followers"], info["synced_observers"], info["pending_syncs"]) == (3, 2, 1, 0)
    assert info["peer_state"] == "leading - broadcast" and info["missing"] == [] and info["method"] == "fourlw"


def test_admin_fills_what_the_whitelist_hides():
    admin = _AdminServer({"/commands/srvr": (200, _fixture("admin-srvr-3.9.3-follower.json")),
                          "/commands/monitor": (200, _fixture("admin-monitor-3.9.3-follower.json")),
                          "/commands/conf": (200, _fixture("admin-conf-3.9.3-follower.json"))})
    srv = _FourLetterServer({"srvr": _fixture("srvr-3.9.3-follower.txt")})
    info = client.server_info(srv.address, _params(admin_port=admin.server_address[1]))
    assert (info["method"], info["mode"], info["server_id"], info["peer_state"]) == (
        "admin", "follower", 2, "following - broadcast")


def test_admin_not_serving_answers_200_with_an_error_field():
    admin = _AdminServer({"/commands/srvr": (200, _fixture("admin-srvr-3.9.3-not-serving.json")),
                          "/commands/monitor": (500, _fixture("admin-monitor-3.9.3-not-serving-http500.json"))})
    info = client.server_info("127.0.0.1:%d" % closed_port(), _params(method="admin", admin_host="127.0.0.1",
                                                                   admin_port=admin.server_address[1]))
    assert (info["reachable"], info["serving"], info["mode"]) == (True, False, "not_serving")
    assert "error" not in info


@pytest.mark.parametrize("status, body, message", [
    (500, "<html>boom</html>", "HTTP 500"),
    (200, "garbage", "not JSON"),
    (200, "[1, 2]", "not an object"),
])
def test_admin_failures_name_the_url(status, body, message):
    admin = _AdminServer({"/commands/srvr": (status, body)})
    info = client.server_info("127.0.0.1:2181", _params(method="admin", admin_host="127.0.0.1",
                                                    admin_port=admin.server_address[1]))
    assert message in info["error"] and "/commands/srvr" in info["error"]


def test_not_serving_over_4lw():
    srv = _FourLetterServer({"srvr": _fixture("srvr-3.9.3-not-serving.txt")})
    info = client.server_info(srv.address, _params())
    assert (info["reachable"], info["serving"], info["mode"]) == (True, False, "not_serving")


def test_srvr_not_whitelisted_and_no_admin():
    srv = _FourLetterServer({})
    info = client.server_info(srv.address, _params())
    assert info["mode"] == "unknown" and info["reachable"]
    assert any(m.startswith("srvr:") for m in info["missing"])


def test_unreachable():
    info = client.server_info("127.0.0.1:%d" % closed_port(), _params())
    assert (info["reachable"], info["mode"]) == (False, "unreachable")
    assert "cannot connect" in info["error"]


def test_half_closed_answer():
    srv = _FourLetterServer({"srvr": None})
    info = client.server_info(srv.address, _params())
    assert "closed the connection without answering 'srvr'" in info["error"]


def test_ensemble_from_real_answers():
    servers = [
        _FourLetterServer({"srvr": _fixture("srvr-3.9.3-%s.txt" % m), "mntr": _fixture("mntr-3.9.3-%s.txt" % m),
                           "conf": _fixture("conf-3.9.3-%s.txt" % m)})
        for m in ("follower", "leader", "observer")]
    infos = [client.server_info(s.address, _params()) for s in servers]
    summary = ensemble.ensemble_summary(infos, expected_voters=3)
    assert summary["leader"] == {"server": servers[1].address, "id": 3}
    # The leader counts 2 synced followers and 1 synced observer: healthy, though only one follower was asked.
    assert (summary["healthy"], summary["voters_serving"], summary["observers_serving"]) == (True, 2, 1)
