# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
attributes:
  action_group:
    description: Use C(group/zkforge.zookeeper.zookeeper) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - zkforge.zookeeper.zookeeper
options:
  servers:
    description:
      - Servers to ask, each as C(host:port) (the client port), C(host) (port 2181) or C([v6addr]:port).
      - The module runs on the managed node, so C(127.0.0.1:2181) is the local server.
    type: list
    elements: str
    default: ["127.0.0.1:2181"]
  connect_timeout:
    description:
      - Seconds to wait for one server to accept a connection and answer one question.
    type: float
    default: 2.0
  method:
    description:
      - How to ask. C(admin) - the AdminServer's JSON commands over HTTP(S) (O(admin_port)). C(fourlw) - the
        four-letter words C(srvr), C(mntr) and C(conf) on the client port. C(auto) - the four-letter words first
        (one cheap connection each), and the AdminServer only for what they could not tell (a word missing from
        the whitelist); an AdminServer that did not answer once is not asked again in the same module run.
      - Waiting for C(serving) or C(stopped) always uses C(srvr) alone, the cheapest question.
    type: str
    choices: [auto, admin, fourlw]
    default: auto
  admin_port:
    description: Port of the AdminServer (C(admin.serverPort)).
    type: int
    default: 8080
  admin_host:
    description:
      - Host to reach the AdminServer on. Default, each server's host from O(servers). The AdminServer listens on
        loopback by default, so set C(127.0.0.1) when asking the local server.
    type: str
  admin_tls:
    description: Talk HTTPS to the AdminServer.
    type: bool
    default: false
  admin_validate_certs:
    description: Verify the AdminServer's certificate (with O(admin_tls)).
    type: bool
    default: true
  admin_ca_path:
    description: CA bundle to verify the AdminServer's certificate with.
    type: path
"""
