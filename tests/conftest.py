"""Shared pytest setup: the repository root and the collection importable as ansible_collections.zkforge.zookeeper;
shared fakes: a closed port, and certificates for the TLS tests made with `cryptography` (an ansible-core
dependency): a CA, server certificates for 127.0.0.1 (one expiring in two days), a client certificate, and a
second CA nobody trusts with a server and a client certificate of its own."""
import datetime
import ipaddress
import os
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT = Path(__file__).resolve().parent.parent
# collections/ansible_collections/zkforge/zookeeper is a symlink to the repository root.
sys.path.insert(0, str(ROOT / "collections"))
os.environ.setdefault("ZKFORGE_CACHE", str(Path.home() / ".cache/zkforge"))


def run_module(tmp_path, module, *args, check=False):
    """Run one of the collection's modules with this Python's ansible on this machine (local connection), in
    tmp_path, and return its result (the test-only results_json callback, tests/unit/callback_plugins)."""
    import json
    import subprocess

    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"), ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
               ANSIBLE_STDOUT_CALLBACK="results_json",
               ANSIBLE_CALLBACK_PLUGINS=str(ROOT / "tests/unit/callback_plugins"))
    command = [str(Path(sys.executable).parent / "ansible"), "localhost", "-c", "local",
               "-e", "ansible_python_interpreter=%s" % sys.executable,
               "-m", "zkforge.zookeeper.%s" % module, "-a", " ".join(args)] + (["--check"] if check else [])
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    return json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


NOW = datetime.datetime.now(datetime.timezone.utc)


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(directory, stem, common_name, issuer=None, ca=False, days=30, sans=(), usage=None):
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (x509.CertificateBuilder().subject_name(_name(common_name))
               .issuer_name(_name(issuer["cn"]) if issuer else _name(common_name))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(NOW - datetime.timedelta(days=1)).not_valid_after(NOW + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
    if usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usage), critical=False)
    if ca:
        builder = builder.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                      content_commitment=False, key_encipherment=False,
                                                      data_encipherment=False, key_agreement=False,
                                                      encipher_only=False, decipher_only=False), critical=True)
    cert = builder.sign(issuer["key"] if issuer else key, hashes.SHA256())
    cert_path, key_path = directory / (stem + ".crt"), directory / (stem + ".key")
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return {"cn": common_name, "key": key, "cert": str(cert_path), "keyfile": str(key_path)}


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pki")
    ca = _issue(directory, "ca", "zkforge test CA", ca=True)
    other_ca = _issue(directory, "other-ca", "someone else's CA", ca=True)
    loopback = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
    return {
        "ca": ca, "other_ca": other_ca,
        "server": _issue(directory, "server", "zk1", issuer=ca, days=30, sans=[x509.DNSName("zk1"), loopback],
                         usage=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
        "expired_soon": _issue(directory, "server-2d", "zk2", issuer=ca, days=2, sans=[loopback],
                               usage=[ExtendedKeyUsageOID.SERVER_AUTH]),
        "stranger": _issue(directory, "stranger", "zk-stranger", issuer=other_ca, sans=[loopback],
                           usage=[ExtendedKeyUsageOID.SERVER_AUTH]),
        "client": _issue(directory, "client", "zkforge-admin", issuer=ca, usage=[ExtendedKeyUsageOID.CLIENT_AUTH]),
        "rogue_client": _issue(directory, "rogue", "rogue", issuer=other_ca, usage=[ExtendedKeyUsageOID.CLIENT_AUTH]),
    }
