"""What a store holds and should hold, on `keytool -list -rfc` output captured from JDK 17 for a key store that
openssl built from keytool-server.crt, its key and keytool-ca.crt (the two certificates are in the fixtures)."""
from pathlib import Path

from ansible_collections.zkforge.zookeeper.plugins.module_utils import keystore as k

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _text(name):
    return (FIXTURES / name).read_text()


def test_keytool_listing_gives_the_entry_and_its_chain():
    entries = k.parse_keytool_list(_text("keytool-list-rfc-keystore.txt"))
    assert [(e["alias"], e["type"], len(e["certificates"])) for e in entries] == [("zookeeper", "PrivateKeyEntry", 2)]
    assert entries[0]["certificates"] == k.pem_certificates(_text("keytool-server.crt") + _text("keytool-ca.crt"))


def test_the_same_certificates_do_not_differ_and_another_ca_does():
    have = k.parse_keytool_list(_text("keytool-list-rfc-keystore.txt"))
    assert not k.entries_differ(have, k.wanted_entries("keystore", _text("keytool-server.crt"), _text("keytool-ca.crt")))
    assert k.entries_differ(have, k.wanted_entries("keystore", _text("keytool-server.crt"), ""))
    assert k.entries_differ(have, k.wanted_entries("keystore", _text("keytool-server.crt"), _text("keytool-ca.crt"),
                                                   alias="other"))


def test_a_ca_already_in_the_chain_is_not_added_twice():
    want = k.wanted_entries("keystore", _text("keytool-server.crt") + _text("keytool-ca.crt"), _text("keytool-ca.crt"))
    assert len(want[0]["certificates"]) == 2


def test_truststore_wants_one_trusted_entry_per_ca():
    want = k.wanted_entries("truststore", ca_pem=_text("keytool-ca.crt") + _text("keytool-server.crt"))
    assert [(e["alias"], e["type"]) for e in want] == [("ca-1", "trustedCertEntry"), ("ca-2", "trustedCertEntry")]


def test_commands_read_the_password_from_a_file_only():
    argv = k.keystore_command("openssl", "/c.pem", "/k.pem", "/ca.pem", "zookeeper", "/pass", "/out.p12")
    assert argv[:3] == ["openssl", "pkcs12", "-export"] and "file:/pass" in argv and "-certfile" in argv
    for argv in [argv] + k.truststore_commands("keytool", ["/a.pem"], "/pass", "/t.p12") + [k.list_command("keytool", "/t.p12", "/pass")]:
        assert not any(a.startswith("pass:") for a in argv) and "-storepass" not in argv
