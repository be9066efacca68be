"""The modules' client over TLS, against a real TLS server in the test process answering four-letter words with
output captured from ZooKeeper 3.9.3 (over TLS ZooKeeper's secure client port answers them as its plaintext port
does). The certificates are the `pki` fixture's (tests/unit/plugins/conftest.py)."""
import socketserver
import ssl
import threading
from pathlib import Path

import pytest
from ansible_collections.zkforge.zookeeper.plugins.module_utils import client
from conftest import closed_port

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


class _TlsFourLetterServer(socketserver.ThreadingTCPServer):
    """A TLS listener answering four-letter words, like ZooKeeper's secureClientPort (ssl.clientAuth=need when
    client_ca is given)."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answers, cert, client_ca=None):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert["cert"], cert["keyfile"])
        if client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(client_ca["cert"])

        class Handler(socketserver.BaseRequestHandler):
            def handle(inner):
                try:
                    conn = context.wrap_socket(inner.request, server_side=True)
                    word = conn.recv(4).decode()
                    conn.sendall(answers.get(word, "%s is not executed because it is not in the whitelist.\n"
                                             % word).encode())
                    conn.close()
                except (ssl.SSLError, OSError):
                    pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def address(self):
        return "127.0.0.1:%d" % self.server_address[1]


@pytest.fixture(autouse=True)
def _fresh_memos():
    client._ADMIN_UNREACHABLE.clear()
    client._TLS_CONTEXTS.clear()


def _answers():
    return {word: (FIXTURES / ("%s-3.9.3-follower.txt" % word)).read_text() for word in ("srvr", "mntr", "conf")}


def _params(pki, **extra):
    params = {"connect_timeout": 2, "method": "fourlw", "admin_port": closed_port(), "admin_host": None,
              "tls": True, "tls_ca_path": pki["ca"]["cert"], "tls_cert_path": None, "tls_key_path": None,
              "tls_validate_certs": True}
    params.update(extra)
    return params


def test_mutual_tls_server_answers_and_its_certificate_is_reported(pki):
    server = _TlsFourLetterServer(_answers(), pki["server"], client_ca=pki["ca"])
    info = client.server_info(server.address, _params(pki, tls_cert_path=pki["client"]["cert"],
                                                      tls_key_path=pki["client"]["keyfile"]))
    assert (info["reachable"], info["serving"], info["mode"], info["server_id"]) == (True, True, "follower", 2)
    assert info["tls"] is True and "error" not in info
    cert = info["certificate"]
    assert (cert["subject"], cert["issuer"]) == ("commonName=zk1", "commonName=zkforge test CA")
    assert cert["days_left"] in (29, 30) and "IP Address:127.0.0.1" in cert["subject_alt_names"]


def test_without_a_client_certificate_a_mutual_tls_server_refuses(pki):
    server = _TlsFourLetterServer(_answers(), pki["server"], client_ca=pki["ca"])
    info = client.server_info(server.address, _params(pki))
    assert (info["reachable"], info["mode"]) == (False, "unreachable")
    assert "TLS" in info["error"] or "closed the connection" in info["error"], info["error"]


def test_a_client_certificate_from_another_ca_is_refused(pki):
    server = _TlsFourLetterServer(_answers(), pki["server"], client_ca=pki["ca"])
    info = client.server_info(server.address, _params(pki, tls_cert_path=pki["rogue_client"]["cert"],
                                                      tls_key_path=pki["rogue_client"]["keyfile"]))
    assert info["mode"] == "unreachable" and info["error"]


def test_a_server_certificate_from_an_untrusted_ca_is_named_as_such(pki):
    server = _TlsFourLetterServer(_answers(), pki["stranger"])
    info = client.server_info(server.address, _params(pki))
    assert info["mode"] == "unreachable" and "not trusted" in info["error"], info["error"]


def test_not_validating_still_encrypts_and_reports_the_certificate(pki):
    server = _TlsFourLetterServer(_answers(), pki["stranger"])
    info = client.server_info(server.address, _params(pki, tls_validate_certs=False))
    assert info["mode"] == "follower" and info["certificate"]["subject"] == "commonName=zk-stranger"


def test_days_left_counts_down_to_expiry(pki):
    server = _TlsFourLetterServer(_answers(), pki["expired_soon"])
    info = client.server_info(server.address, _params(pki), details=False)
    assert info["mode"] == "follower" and info["certificate"]["days_left"] in (1, 2)


def test_tls_towards_a_plaintext_port_fails_with_a_hint(pki):
    plain = socketserver.ThreadingTCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    threading.Thread(target=plain.serve_forever, daemon=True).start()
    info = client.server_info("127.0.0.1:%d" % plain.server_address[1], _params(pki, connect_timeout=1))
    assert info["mode"] == "unreachable" and "plaintext" in info["error"], info["error"]
    plain.shutdown()


def test_a_missing_ca_file_is_an_error_naming_it(pki, tmp_path):
    info = client.server_info("127.0.0.1:2281", _params(pki, tls_ca_path=str(tmp_path / "nope.pem")))
    assert "nope.pem" in info["error"] and info["mode"] == "unreachable"


def test_waiting_for_serving_over_tls(pki):
    server = _TlsFourLetterServer(_answers(), pki["server"], client_ca=pki["ca"])
    result = client.wait_until("serving", [server.address], [server.address],
                               _params(pki, tls_cert_path=pki["client"]["cert"], tls_key_path=pki["client"]["keyfile"]),
                               timeout=5, interval=0.2)
    assert result["met"] and result["servers"][0]["certificate"]["subject"] == "commonName=zk1"
