#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: zookeeper_wait
short_description: Wait until ZooKeeper servers serve, are synced, the ensemble is healthy, or servers stopped
version_added: 0.1.0
description:
  - Polls the servers in O(servers) at sub-second intervals until O(condition) holds, or fails when O(timeout)
    runs out, naming the unmet condition and what each server last reported.
  - C(serving) - every server in O(target) answers C(srvr) with a mode (leader, follower, observer, standalone or
    read-only). An open port is not enough; a server electing a leader or syncing is not serving.
  - C(synced) - every server in O(target) has rejoined as a follower or observer in broadcast state, and the
    leader (found among O(servers)) counts all followers (or observers) as synced with no pending syncs. A target
    that is the leader is synced when the ensemble is healthy. O(servers) must list the whole ensemble.
  - C(healthy) - the whole ensemble is healthy as M(zkforge.zookeeper.zookeeper_info) judges it.
  - C(stopped) - every server in O(target) refuses connections on its client port.
seealso:
  - module: zkforge.zookeeper.zookeeper_info
    description: Reports the same state once, without waiting.
  - module: zkforge.zookeeper.zookeeper_restart
    description: Restarts a server behind the gate and waits with the same conditions.
author: zkforge maintainers (@zkforge)
extends_documentation_fragment:
  - zkforge.zookeeper.connection
  - zkforge.zookeeper.tls
  - zkforge.zookeeper.attributes
options:
  condition:
    description: What must hold.
    type: str
    choices: [serving, synced, healthy, stopped]
    default: serving
  target:
    description:
      - The servers of O(servers) the condition is about (for C(serving), C(synced) and C(stopped)). Default,
        all of them.
    type: list
    elements: str
  expected_voters:
    description: Voters the ensemble is configured with (see M(zkforge.zookeeper.zookeeper_info)).
    type: int
  timeout:
    description: Seconds to wait in all before failing.
    type: float
    default: 120
  interval:
    description: Seconds between two polls.
    type: float
    default: 0.25
  service:
    description:
      - A systemd unit on the host the module runs on (without C(.service)) that runs the awaited server, watched
        at every poll. When its process exits, or systemd restarts it, the wait fails at once with the unit's
        state, exit status and last journal lines, instead of after O(timeout). A server that is only slow still
        gets the whole O(timeout).
    type: str
    version_added: 0.1.0
"""

EXAMPLES = r"""
- name: Wait until the local server serves requests
  zkforge.zookeeper.zookeeper_wait:
    condition: serving
    timeout: 180

- name: Wait until the restarted follower zk2 is synced with the leader
  zkforge.zookeeper.zookeeper_wait:
    servers: [zk1:2181, zk2:2181, zk3:2181]
    target: [zk2:2181]
    condition: synced

- name: Wait until the ensemble is healthy
  zkforge.zookeeper.zookeeper_wait:
    servers: [zk1:2181, zk2:2181, zk3:2181]
    condition: healthy
"""

RETURN = r"""
unit:
  description: Why the watched O(service) stopped running, when that ended the wait.
  returned: when O(service) was set and its process exited during the wait
  type: str
  sample: "the unit is crash-looping: its process exited with status 1, systemd restarted it 1 time since it was started"
elapsed:
  description: Seconds waited.
  returned: always
  type: float
  sample: 2.75
polls:
  description: How many times the servers were asked.
  returned: always
  type: int
  sample: 11
servers:
  description: What each server last said of itself, as M(zkforge.zookeeper.zookeeper_info) returns it.
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
ensemble:
  description: The ensemble as last judged (conditions synced and healthy only).
  returned: when condition is synced or healthy
  type: dict
  sample: {healthy: true, problems: [], voters_configured: 3, voters_serving: 3}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.zkforge.zookeeper.plugins.module_utils.client import CONNECTION_ARGUMENT_SPEC, wait_until
from ansible_collections.zkforge.zookeeper.plugins.module_utils.ensemble import describe
from ansible_collections.zkforge.zookeeper.plugins.module_utils.parsers import server_key
from ansible_collections.zkforge.zookeeper.plugins.module_utils.systemd import UnitWatch


def main():
    argument_spec = dict(CONNECTION_ARGUMENT_SPEC)
    argument_spec.update(
        condition=dict(type="str", choices=["serving", "synced", "healthy", "stopped"], default="serving"),
        target=dict(type="list", elements="str"),
        expected_voters=dict(type="int"),
        timeout=dict(type="float", default=120.0),
        interval=dict(type="float", default=0.25),
        service=dict(type="str"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    condition = params["condition"]
    servers = [server_key(s) for s in params["servers"]]
    targets = [server_key(s) for s in params["target"]] if params["target"] else servers
    unknown = [t for t in targets if t not in servers]
    if unknown:
        module.fail_json(msg="target %s is not among servers %s" % (", ".join(unknown), ", ".join(servers)))
    watch = UnitWatch(module, params["service"]) if params["service"] else None
    waited = wait_until(condition, servers, targets, params, params["timeout"], params["interval"],
                        expected_voters=params["expected_voters"], watch=watch)
    result = dict(changed=False, elapsed=waited["elapsed"], polls=waited["polls"], servers=waited["servers"])
    if "ensemble" in waited:
        result["ensemble"] = waited["ensemble"]
    if waited["gave_up"]:
        result["unit"] = watch.failure
        module.fail_json(msg="Gave up after %ss waiting for %s to be %s: %s"
                         % (waited["elapsed"], ", ".join(targets), condition, watch.describe()), **result)
    if not waited["met"]:
        module.fail_json(
            msg="Timed out after %ss waiting for %s to be %s. Not met: %s. Last seen: %s"
            % (params["timeout"], ", ".join(targets), condition, "; ".join(waited["reasons"]),
               "; ".join(describe(i) for i in waited["servers"])), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
