"""zookeeper_keystore run by ansible on this machine (local connection) with the real openssl and the JDK's keytool:
stores built, read back by keytool, left alone when nothing changed, rebuilt when a certificate or the password
changes, and the password never on a command line."""
import subprocess
from pathlib import Path

import pytest

from conftest import run_module

def _store(tmp_path, *args, check=False):
    return run_module(tmp_path, "zookeeper_keystore", *args, check=check)


def _keytool_list(path, password_file):
    return subprocess.run(["keytool", "-list", "-rfc", "-keystore", str(path), "-storetype", "PKCS12",
                           "-storepass:file", str(password_file)], capture_output=True, text=True)


@pytest.fixture
def files(tmp_path, pki):
    password = tmp_path / "store.pass"
    password.write_text("correct-horse-battery\n")
    bundle = tmp_path / "ca.pem"
    bundle.write_text(Path(pki["ca"]["cert"]).read_text() + Path(pki["other_ca"]["cert"]).read_text())
    return {"password": password, "bundle": bundle}


def test_keystore_is_built_once_and_java_reads_it(tmp_path, pki, files):
    args = ["path=%s" % (tmp_path / "keystore.p12"), "kind=keystore", "password_path=%s" % files["password"],
            "certificate_path=%s" % pki["server"]["cert"], "private_key_path=%s" % pki["server"]["keyfile"],
            "ca_path=%s" % pki["ca"]["cert"], "mode=0600"]
    first = _store(tmp_path, *args)
    assert first["changed"] and first["rebuilt_because"] == "it does not exist", first
    assert first["entries"] == [{"alias": "zookeeper", "type": "PrivateKeyEntry",
                                 "subjects": ["commonName=zk1", "commonName=zkforge test CA"]}]
    listed = _keytool_list(tmp_path / "keystore.p12", files["password"])
    assert listed.returncode == 0 and "PrivateKeyEntry" in listed.stdout and "chain length: 2" in listed.stdout
    assert oct((tmp_path / "keystore.p12").stat().st_mode & 0o777) == "0o600"
    again = _store(tmp_path, *args)
    assert (again["changed"], again["rebuilt_because"]) == (False, ""), again


def test_keystore_is_rebuilt_for_a_new_certificate_and_check_mode_only_says_so(tmp_path, pki, files):
    base = ["path=%s" % (tmp_path / "keystore.p12"), "kind=keystore", "password_path=%s" % files["password"]]
    _store(tmp_path, *base, "certificate_path=%s" % pki["server"]["cert"],
           "private_key_path=%s" % pki["server"]["keyfile"])
    before = (tmp_path / "keystore.p12").read_bytes()
    rotated = base + ["certificate_path=%s" % pki["expired_soon"]["cert"],
                      "private_key_path=%s" % pki["expired_soon"]["keyfile"]]
    checked = _store(tmp_path, *rotated, check=True)
    assert checked["changed"] and "differ" in checked["rebuilt_because"]
    assert (tmp_path / "keystore.p12").read_bytes() == before
    done = _store(tmp_path, *rotated)
    assert done["changed"] and done["entries"][0]["subjects"] == ["commonName=zk2"]
    assert "zk2" in subprocess.run(["keytool", "-list", "-v", "-keystore", str(tmp_path / "keystore.p12"),
                                    "-storetype", "PKCS12", "-storepass:file", str(files["password"])],
                                   capture_output=True, text=True).stdout


def test_truststore_holds_every_ca_as_a_trusted_entry(tmp_path, files):
    args = ["path=%s" % (tmp_path / "truststore.p12"), "kind=truststore", "password_path=%s" % files["password"],
            "ca_path=%s" % files["bundle"], "mode=0640"]
    first = _store(tmp_path, *args)
    assert first["changed"], first
    listed = _keytool_list(tmp_path / "truststore.p12", files["password"])
    assert listed.stdout.count("trustedCertEntry") == 2, listed.stdout
    assert _store(tmp_path, *args)["changed"] is False


def test_a_new_password_rebuilds_the_store(tmp_path, files):
    args = ["path=%s" % (tmp_path / "truststore.p12"), "kind=truststore", "password_path=%s" % files["password"],
            "ca_path=%s" % files["bundle"]]
    _store(tmp_path, *args)
    files["password"].write_text("a-new-password\n")
    again = _store(tmp_path, *args)
    assert again["changed"] and "password" in again["rebuilt_because"], again
    assert _keytool_list(tmp_path / "truststore.p12", files["password"]).returncode == 0


def test_missing_inputs_are_named(tmp_path, files):
    result = _store(tmp_path, "path=%s" % (tmp_path / "k.p12"), "kind=keystore",
                    "password_path=%s" % files["password"], "certificate_path=%s" % (tmp_path / "nope.pem"),
                    "private_key_path=%s" % (tmp_path / "nope.key"))
    assert result.get("failed") and "nope.pem" in result["msg"]
