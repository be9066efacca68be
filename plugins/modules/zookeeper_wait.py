#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: zookeeper_wait
short_description: Wait until ZooKeeper servers serve requests, or have stopped
version_added: 0.1.0
description:
  - Polls every server in O(servers) with the C(srvr) four-letter word until all of them meet O(condition),
    or O(timeout) runs out.
  - C(serving) means the server answers C(srvr) with a mode (leader, follower, observer, standalone or
    read-only). An open port is not enough; a server that is electing a leader or syncing answers
    "not currently serving requests" and is not serving.
  - C(stopped) means the client port refuses connections.
author: zkforge maintainers
extends_documentation_fragment:
  - zkforge.zookeeper.connection
attributes:
  check_mode:
    support: full
    details: Only reads state; runs the same in check mode.
  diff_mode:
    support: none
options:
  condition:
    description: What every server must reach.
    type: str
    choices: [serving, stopped]
    default: serving
  timeout:
    description: Seconds to wait in all before failing.
    type: float
    default: 120
  interval:
    description: Seconds between two polls.
    type: float
    default: 0.25
"""

EXAMPLES = r"""
- name: Wait until the local server serves requests
  zkforge.zookeeper.zookeeper_wait:
    condition: serving
    timeout: 180

- name: Wait until the whole ensemble serves requests
  zkforge.zookeeper.zookeeper_wait:
    servers: [zk1:2181, zk2:2181, zk3:2181]
"""

RETURN = r"""
elapsed:
  description: Seconds waited.
  returned: always
  type: float
  sample: 2.75
servers:
  description: What each server last said of itself, in the order of O(servers).
  returned: always
  type: list
  elements: dict
  sample:
    - server: 127.0.0.1:2181
      reachable: true
      serving: true
      mode: follower
      version: 3.8.0
      zxid: {hex: "0x100000002", int: 4294967298, epoch: 1, counter: 2}
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.zkforge.zookeeper.plugins.module_utils.zookeeper import (
    CONNECTION_ARGUMENT_SPEC,
    server_state,
)


def _met(state, condition):
    if condition == "stopped":
        return not state["reachable"]
    return state["serving"]


def _describe(state):
    text = "%s: %s" % (state["server"], state["mode"])
    if state.get("error"):
        text += " (%s)" % state["error"]
    return text


def main():
    argument_spec = dict(CONNECTION_ARGUMENT_SPEC)
    argument_spec.update(
        condition=dict(type="str", choices=["serving", "stopped"], default="serving"),
        timeout=dict(type="float", default=120.0),
        interval=dict(type="float", default=0.25),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params

    start = time.monotonic()
    while True:
        states = [server_state(s, params["connect_timeout"]) for s in params["servers"]]
        elapsed = round(time.monotonic() - start, 3)
        if all(_met(s, params["condition"]) for s in states):
            module.exit_json(changed=False, elapsed=elapsed, servers=states)
        if elapsed >= params["timeout"]:
            unmet = [_describe(s) for s in states if not _met(s, params["condition"])]
            module.fail_json(
                msg="Timed out after %ss waiting for %s to be %s; last seen: %s"
                % (params["timeout"], ", ".join(params["servers"]), params["condition"], "; ".join(unmet)),
                elapsed=elapsed, servers=states)
        time.sleep(params["interval"])


if __name__ == "__main__":
    main()
