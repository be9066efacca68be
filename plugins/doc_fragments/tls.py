# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # TLS towards the client port, shared by every module that asks servers.
    DOCUMENTATION = r"""
options:
  tls:
    description:
      - Speak TLS to the client ports given (the servers' C(secureClientPort)), with the Python standard library.
      - The four-letter words work over TLS as over plaintext; each server's certificate is reported
        (subject, issuer, expiry and days left).
    type: bool
    default: false
  tls_ca_path:
    description:
      - PEM file of the CA certificates that sign the servers' certificates, on the managed node. Default, the
        system's CA store.
      - Also verifies the AdminServer's certificate when C(admin_tls) is on and C(admin_ca_path) is not set.
    type: path
  tls_cert_path:
    description:
      - PEM client certificate (with its chain) to present, on the managed node, for servers that require one
        (C(ssl.clientAuth=need)). Also presented to the AdminServer with C(admin_tls).
    type: path
  tls_key_path:
    description:
      - PEM private key of O(tls_cert_path), unencrypted, on the managed node. Keep it readable by the
        connecting user only.
    type: path
  tls_validate_certs:
    description:
      - Verify the servers' certificates against O(tls_ca_path) and their names against the host each server is addressed by.
      - Turning it off still encrypts but trusts any server; the certificate is still reported.
    type: bool
    default: true
"""
