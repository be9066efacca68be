#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: zookeeper_keystore
short_description: A PKCS12 key store or trust store for ZooKeeper's TLS, rebuilt only when its certificates change
version_added: 0.1.0
description:
  - Makes the PKCS12 key store (private key, certificate and CA chain; built by C(openssl pkcs12)) or trust store
    (the CA certificates as trusted entries; built by C(keytool), as Java ignores certificates that OpenSSL puts in
    a PKCS12 file) that ZooKeeper's C(ssl.keyStore.*) and C(ssl.trustStore.*) settings name.
  - The store password is read from O(password_path), a file the caller makes beforehand (ZooKeeper reads the
    same file through C(ssl.keyStore.passwordPath)); it never appears on a command line.
  - Idempotent. The store is listed with C(keytool -list) and rebuilt, atomically, only when its entries or
    certificates differ from the wanted ones, or when it cannot be read with the password.
seealso:
  - module: zkforge.zookeeper.zookeeper_info
    description: Reports the certificate each server presents, with its days to expiry.
author: zkforge maintainers (@zkforge)
attributes:
  check_mode:
    description: Whether the module can run in check mode, and what it does then.
    support: full
    details: It reads the store and reports whether it would rebuild it.
  diff_mode:
    description: Whether the module reports a diff of what it changed.
    support: full
    details: The entries (alias, type and certificate subjects) before and after.
options:
  path:
    description: The store file.
    type: path
    required: true
  kind:
    description: C(keystore) (private key entry) or C(truststore) (trusted CA certificates).
    type: str
    choices: [keystore, truststore]
    required: true
  password_path:
    description: File holding the store password (its first line).
    type: path
    required: true
  certificate_path:
    description: PEM certificate of this server (its chain may follow). Required for a key store.
    type: path
  private_key_path:
    description: PEM private key of O(certificate_path), unencrypted. Required for a key store.
    type: path
  ca_path:
    description:
      - PEM bundle of CA certificates. A trust store holds each of them; a key store appends those not already in
        the certificate's chain. Required for a trust store.
    type: path
  alias:
    description: Alias of the private key entry in a key store.
    type: str
    default: zookeeper
  keytool:
    description: The JDK's keytool. Default, C(keytool) on the PATH.
    type: path
  openssl:
    description: The openssl command. Default, C(openssl) on the PATH.
    type: path
extends_documentation_fragment:
  - ansible.builtin.files
"""

EXAMPLES = r"""
- name: Key store of this server
  zkforge.zookeeper.zookeeper_keystore:
    path: /etc/zookeeper/tls/keystore.p12
    kind: keystore
    password_path: /etc/zookeeper/tls/keystore.pass
    certificate_path: /etc/zookeeper/tls/server.pem
    private_key_path: /etc/zookeeper/tls/server.key
    ca_path: /etc/zookeeper/tls/ca.pem
    owner: zookeeper
    group: zookeeper
    mode: "0600"
"""

RETURN = r"""
rebuilt_because:
  description: Why the store was (or in check mode would be) rebuilt; empty when it was left alone.
  returned: always
  type: str
  sample: "its certificates differ from the wanted ones"
entries:
  description: The entries the store holds now (the wanted ones in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{alias: zookeeper, type: PrivateKeyEntry, subjects: ["commonName=zk1", "commonName=zkforge CA"]}]
"""

import os
import shutil
import ssl
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.zkforge.zookeeper.plugins.module_utils.client import certificate_summary
from ansible_collections.zkforge.zookeeper.plugins.module_utils.keystore import (
    entries_differ,
    keystore_command,
    list_command,
    parse_keytool_list,
    pem_certificates,
    truststore_commands,
    wanted_entries,
)


def _read(module, path, what):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError) as exc:
        module.fail_json(msg="cannot read the %s %s: %s" % (what, path, exc))


def _summary(entries):
    result = []
    for entry in entries:
        subjects = [(certificate_summary(der) or {}).get("subject") for der in entry["certificates"]]
        result.append({"alias": entry["alias"], "type": entry["type"], "subjects": subjects})
    return result


def _run(module, argv, what):
    rc, out, err = module.run_command(argv)
    if rc != 0:
        module.fail_json(msg="%s failed (exit %s): %s" % (what, rc, (err or out).strip()[-1000:]), cmd=argv[:3])
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            kind=dict(type="str", choices=["keystore", "truststore"], required=True),
            password_path=dict(type="path", required=True, no_log=False),
            certificate_path=dict(type="path"),
            private_key_path=dict(type="path", no_log=False),
            ca_path=dict(type="path"),
            alias=dict(type="str", default="zookeeper"),
            keytool=dict(type="path"),
            openssl=dict(type="path"),
        ),
        required_if=[("kind", "keystore", ("certificate_path", "private_key_path")),
                     ("kind", "truststore", ("ca_path",))],
        add_file_common_args=True,
        supports_check_mode=True,
    )
    p = module.params
    keytool = p["keytool"] or module.get_bin_path("keytool", required=True)
    certificate_pem = _read(module, p["certificate_path"], "certificate") if p["kind"] == "keystore" else ""
    ca_pem = _read(module, p["ca_path"], "CA bundle") if p["ca_path"] else ""
    if p["kind"] == "keystore" and not pem_certificates(certificate_pem):
        module.fail_json(msg="%s holds no PEM certificate" % p["certificate_path"])
    if p["kind"] == "truststore" and not pem_certificates(ca_pem):
        module.fail_json(msg="%s holds no PEM certificate" % p["ca_path"])
    want = wanted_entries(p["kind"], certificate_pem, ca_pem, p["alias"])

    have, because = [], ""
    if not os.path.exists(p["path"]):
        because = "it does not exist"
    else:
        rc, out, err = module.run_command(list_command(keytool, p["path"], p["password_path"]))
        if rc != 0:
            because = "it cannot be read with the password (%s)" % (err or out).strip().splitlines()[-1:]
        else:
            have = parse_keytool_list(out)
            if entries_differ(have, want):
                because = "its entries or certificates differ from the wanted ones"

    changed = bool(because)
    if changed and not module.check_mode:
        workdir = tempfile.mkdtemp(dir=os.path.dirname(p["path"]) or ".", prefix=".zkforge-store-")
        try:
            os.chmod(workdir, 0o700)
            built = os.path.join(workdir, "store.p12")
            if p["kind"] == "keystore":
                openssl = p["openssl"] or module.get_bin_path("openssl", required=True)
                _run(module, keystore_command(openssl, p["certificate_path"], p["private_key_path"], p["ca_path"],
                                              p["alias"], p["password_path"], built), "openssl pkcs12")
            else:
                paths = []
                for n, entry in enumerate(want):
                    path = os.path.join(workdir, "ca-%d.pem" % (n + 1))
                    with open(path, "w") as handle:
                        handle.write(ssl.DER_cert_to_PEM_cert(entry["certificates"][0]))
                    paths.append(path)
                for argv in truststore_commands(keytool, paths, p["password_path"], built):
                    _run(module, argv, "keytool -importcert")
            os.chmod(built, 0o600)
            module.atomic_move(built, p["path"])
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    file_args = module.load_file_common_arguments(p)
    if module.check_mode and not os.path.exists(p["path"]):
        file_changed = False
    else:
        file_changed = module.set_fs_attributes_if_different(file_args, changed)
    module.exit_json(changed=changed or file_changed, rebuilt_because=because, entries=_summary(want),
                     diff=dict(before={"entries": _summary(have)}, after={"entries": _summary(want)}))


if __name__ == "__main__":
    main()
