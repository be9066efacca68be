# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
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
"""
