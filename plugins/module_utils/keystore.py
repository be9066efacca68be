# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""PKCS12 key and trust stores for ZooKeeper's TLS listeners: what a store holds (read from `keytool -list -rfc`),
what it should hold, and the commands that build one. Pure functions; the zookeeper_keystore module runs them.

Why two tools: Java reads a PKCS12 certificate as trusted only with an attribute OpenSSL does not write (an
OpenSSL-made trust store is empty to Java), so trust stores are built by keytool; keytool cannot import a PEM
private key, so key stores are built by OpenSSL. Both read the store password from a file, never from the
command line."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import ssl

_PEM_CERT = re.compile(r"-----BEGIN CERTIFICATE-----\s.+?-----END CERTIFICATE-----", re.S)


def pem_certificates(text):
    """Every certificate of a PEM text, as DER bytes, in order."""
    return [ssl.PEM_cert_to_DER_cert(block) for block in _PEM_CERT.findall(text or "")]


def parse_keytool_list(output):
    """Entries of `keytool -list -rfc`: [{alias, type, certificates: [DER]}], in the order listed."""
    entries = []
    for block in re.split(r"^Alias name: ", output or "", flags=re.M)[1:]:
        alias = block.splitlines()[0].strip()
        kind = re.search(r"^Entry type: (\S+)", block, re.M)
        entries.append({"alias": alias, "type": kind.group(1) if kind else "unknown",
                        "certificates": pem_certificates(block)})
    return entries


def wanted_entries(kind, certificate_pem="", ca_pem="", alias="zookeeper"):
    """What a store should hold. keystore: one PrivateKeyEntry whose chain is the certificate (and any chain in its
    file), then the CA certificates not already in it. truststore: one trustedCertEntry per CA certificate,
    aliases ca-1, ca-2, ..."""
    cas = pem_certificates(ca_pem)
    if kind == "keystore":
        chain = pem_certificates(certificate_pem)
        chain += [der for der in cas if der not in chain]
        return [{"alias": alias, "type": "PrivateKeyEntry", "certificates": chain}]
    return [{"alias": "ca-%d" % (n + 1), "type": "trustedCertEntry", "certificates": [der]}
            for n, der in enumerate(cas)]


def entries_differ(have, want):
    """Whether the store must be rebuilt: another set of aliases, entry types or certificates. A new private key
    always comes with a new certificate, so the certificates tell a key change too."""
    def normal(entries):
        return sorted((e["alias"].lower(), e["type"], tuple(e["certificates"])) for e in entries)
    return normal(have) != normal(want)


def keystore_command(openssl, certificate_path, key_path, ca_path, alias, password_path, out_path):
    """openssl argv building a PKCS12 key store (key, certificate and CA chain), password read from a file."""
    argv = [openssl, "pkcs12", "-export", "-in", certificate_path, "-inkey", key_path, "-name", alias,
            "-out", out_path, "-passout", "file:%s" % password_path]
    if ca_path:
        argv += ["-certfile", ca_path]
    return argv


def truststore_commands(keytool, certificate_paths, password_path, out_path):
    """keytool argv lists importing each CA certificate file as ca-1, ca-2, ... into a new PKCS12 trust store."""
    return [[keytool, "-importcert", "-noprompt", "-alias", "ca-%d" % (n + 1), "-file", path, "-keystore", out_path,
             "-storetype", "PKCS12", "-storepass:file", password_path]
            for n, path in enumerate(certificate_paths)]


def list_command(keytool, path, password_path):
    return [keytool, "-list", "-rfc", "-keystore", path, "-storetype", "PKCS12", "-storepass:file", password_path]
