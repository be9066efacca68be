#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: zookeeper_restart
short_description: Restart the local ZooKeeper server behind the gate, and wait until it is synced again
version_added: 0.1.0
description:
  - One step of a rolling restart, upgrade or rollback, run on the server it restarts. In order, it
    - asks every server in O(servers) and stops, changing nothing, unless the ensemble passes the gate
      (RV(zkforge.zookeeper.zookeeper_info#module:ensemble.gate)) - healthy, or degraded only by O(repair_servers);
    - stops the systemd unit O(service);
    - points O(release_link) at the release to run (O(release), or the first line of O(pending_marker)), if any;
    - starts the unit;
    - waits until the leader counts this server as synced (C(synced) of M(zkforge.zookeeper.zookeeper_wait)),
      then until the whole ensemble is healthy; if meanwhile the unit's process exits or systemd restarts it,
      the step fails at once with the unit's state, exit status and last journal lines (a server that is only
      slow still gets O(timeout));
    - removes O(pending_marker).
  - With O(pending_marker) set and absent, nothing is pending for this server and the module does nothing, so
    re-running a roll that stopped half way restarts only the servers not done yet.
  - A failure after the stop leaves O(pending_marker) in place and names what this server and the others last
    reported.
seealso:
  - module: zkforge.zookeeper.zookeeper_pending
    description: Marks and reads the pending restart this module clears.
  - module: zkforge.zookeeper.zookeeper_info
    description: The ensemble verdict (C(ensemble.gate)) every step checks.
author: zkforge maintainers (@zkforge)
extends_documentation_fragment:
  - zkforge.zookeeper.connection
  - zkforge.zookeeper.tls
attributes:
  check_mode:
    description: Whether the module can run in check mode, and what it does then.
    support: full
    details: It asks the ensemble and reports whether it would restart the server, and to which release.
  diff_mode:
    description: Whether the module reports a diff of what it changed.
    support: none
    details: The release switch is reported in the return values C(release) and C(previous_release).
options:
  server:
    description:
      - This server, as listed in O(servers) (its client address). The module runs on this server's host.
    type: str
    required: true
  service:
    description: The systemd unit of the server.
    type: str
    default: zookeeper
  release_link:
    description:
      - The symbolic link the unit runs the release through (the role's C(current)). Needed to switch release.
    type: path
  release:
    description:
      - Release directory to point O(release_link) at, relative to the link's directory or absolute. Default,
        the first line of O(pending_marker); when both are empty the release is left as it is.
    type: str
  pending_marker:
    description:
      - File saying this server waits for a restart. Absent means nothing to do. Removed once the server is synced
        and the ensemble healthy again.
    type: path
  expected_voters:
    description: Voters the ensemble is configured with (see M(zkforge.zookeeper.zookeeper_info)).
    type: int
  repair_servers:
    description:
      - Servers of O(servers) that the gate lets be down or unsynced, for repairing a degraded ensemble (see
        RV(zkforge.zookeeper.zookeeper_info#module:ensemble.gate)).
    type: list
    elements: str
    default: []
  defer_if_leader:
    description:
      - When this server turns out to be the leader at the gate, change nothing and return RV(deferred) true
        with the ensemble's answer, so that the caller restarts the other servers first (the leader last, one
        election per roll).
    type: bool
    default: false
  timeout:
    description: Seconds to wait for the server to be synced and the ensemble healthy, after the start.
    type: float
    default: 300
  interval:
    description: Seconds between two polls.
    type: float
    default: 0.1
"""

EXAMPLES = r"""
- name: Restart zk2 behind the gate, on the release its marker names
  zkforge.zookeeper.zookeeper_restart:
    servers: [zk1:2181, zk2:2181, zk3:2181]
    server: zk2:2181
    expected_voters: 3
    release_link: /opt/zookeeper/current
    pending_marker: /opt/zookeeper/.restart-required
  delegate_to: zk2
"""

RETURN = r"""
unit:
  description: Why the unit stopped running after its start, when that failed the step.
  returned: when the server's process exited or was restarted by systemd while the step waited for it
  type: str
  sample: "the unit is crash-looping: its process exited with status 1, systemd restarted it 1 time since it was started"
restarted:
  description: Whether the server was restarted (false when nothing was pending, or deferred).
  returned: always
  type: bool
  sample: true
deferred:
  description: True when O(defer_if_leader) held this server back because it is the leader.
  returned: always
  type: bool
  sample: false
release:
  description: The release O(release_link) points at now (in check mode, would point at).
  returned: when O(release_link) is set
  type: str
  sample: apache-zookeeper-3.9.3-bin
previous_release:
  description: The release O(release_link) pointed at before.
  returned: when O(release_link) is set
  type: str
  sample: apache-zookeeper-3.8.0-bin
mode_before:
  description: The server's mode at the gate, before the restart.
  returned: when the gate was asked
  type: str
  sample: follower
timings:
  description: Seconds from the start of the step to each milestone.
  returned: when restarted
  type: dict
  sample: {stopped: 0.41, started: 0.52, synced: 1.31, healthy: 1.31}
servers:
  description:
    - What every server last said of itself, as M(zkforge.zookeeper.zookeeper_info) returns it, without C(raw)
      to keep it small, since a roll registers it at every step.
  returned: when the gate was asked
  type: list
  elements: dict
ensemble:
  description: The ensemble as last judged, as M(zkforge.zookeeper.zookeeper_info) returns it.
  returned: when the gate was asked
  type: dict
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.zkforge.zookeeper.plugins.module_utils.client import (
    CONNECTION_ARGUMENT_SPEC,
    server_info,
    wait_until,
)
from ansible_collections.zkforge.zookeeper.plugins.module_utils.ensemble import describe, ensemble_summary, gate
from ansible_collections.zkforge.zookeeper.plugins.module_utils.marker import read_marker
from ansible_collections.zkforge.zookeeper.plugins.module_utils.parsers import server_key
from ansible_collections.zkforge.zookeeper.plugins.module_utils.systemd import UnitWatch


def _compact(infos):
    return [dict((k, v) for k, v in info.items() if k != "raw") for info in infos]


def _switch_link(link, release):
    """Point `link` at `release` atomically (a new link renamed over the old one)."""
    temporary = "%s.zkforge-%s" % (link, os.getpid())
    if os.path.lexists(temporary):
        os.unlink(temporary)
    os.symlink(release, temporary)
    os.rename(temporary, link)


class Step(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.servers = [server_key(s) for s in self.params["servers"]]
        self.server = server_key(self.params["server"])
        self.started = time.monotonic()
        self.result = dict(changed=False, restarted=False, deferred=False)

    def fail(self, msg):
        self.module.fail_json(msg="%s: %s" % (self.server, msg), **self.result)

    def since_start(self):
        return round(time.monotonic() - self.started, 3)

    def systemctl(self, action):
        rc, out, err = self.module.run_command(["systemctl", action, self.params["service"]])
        if rc != 0:
            why = (err or out).strip()
            self.fail("systemctl %s %s failed (rc %s): %s" % (action, self.params["service"], rc, why))

    def wait(self, condition, timeout, watch=None):
        waited = wait_until(condition, self.servers, [self.server], self.params, timeout, self.params["interval"],
                            expected_voters=self.params["expected_voters"], watch=watch)
        self.result.update(servers=_compact(waited["servers"]))
        if "ensemble" in waited:
            self.result["ensemble"] = waited["ensemble"]
        if waited["gave_up"]:
            self.result["unit"] = watch.failure
            self.fail("%s %ss after its start, so the roll stops here. It stays marked for a restart (%s); fix the"
                      " cause and run the same playbook again. %s"
                      % (condition == "synced" and "did not come back" or "failed", waited["elapsed"],
                         self.params["pending_marker"], watch.describe()))
        if not waited["met"]:
            self.fail("not %s %ss after its restart: %s. Last seen: %s. It stays marked for a restart (%s)."
                      % (condition, self.params["timeout"], "; ".join(waited["reasons"]),
                         "; ".join(describe(i) for i in waited["servers"]), self.params["pending_marker"]))
        return waited

    def run(self):
        params = self.params
        if self.server not in self.servers:
            self.module.fail_json(msg="server %s is not among servers %s" % (self.server, ", ".join(self.servers)))

        release = params["release"]
        if params["pending_marker"]:
            pending, marked = read_marker(params["pending_marker"])
            if not pending:
                self.module.exit_json(msg="%s: no restart pending" % self.server, **self.result)
            release = release or marked
        link = params["release_link"]
        if release and not link:
            self.module.fail_json(msg="release %s is named but release_link is not set" % release)
        if link:
            current = os.readlink(link) if os.path.islink(link) else None
            release = release or current
            self.result.update(previous_release=current, release=release)
            target = os.path.join(os.path.dirname(link), release or "")
            if not release or not os.path.isdir(target):
                self.fail("release %r is not a directory next to %s; nothing was touched" % (release, link))

        infos = [server_info(s, params) for s in self.servers]
        summary = ensemble_summary(infos, params["expected_voters"])
        summary["gate"], problems = gate(infos, summary, [server_key(s) for s in params["repair_servers"]])
        me = next(i for i in infos if i["server"] == self.server)
        self.result.update(servers=_compact(infos), ensemble=summary, mode_before=me["mode"])
        if not summary["gate"]:
            self.fail("the ensemble is not healthy, so no server is touched: %s" % "; ".join(problems))
        if params["defer_if_leader"] and me["mode"] == "leader":
            self.result["deferred"] = True
            self.module.exit_json(msg="%s is the leader: deferred" % self.server, **self.result)
        self.result.update(changed=True, restarted=True)
        if self.module.check_mode:
            self.module.exit_json(**self.result)

        timings = self.result["timings"] = {}
        self.systemctl("stop")
        timings["stopped"] = self.since_start()
        if link and release != self.result["previous_release"]:
            _switch_link(link, release)
        self.systemctl("start")
        timings["started"] = self.since_start()
        waited = self.wait("synced", params["timeout"], watch=UnitWatch(self.module, params["service"]))
        timings["synced"] = self.since_start()
        if not waited["ensemble"]["healthy"]:  # usually it is, in the same answer
            self.wait("healthy", max(params["timeout"] - (timings["synced"] - timings["started"]), params["interval"]))
        timings["healthy"] = self.since_start()
        if params["pending_marker"]:
            os.unlink(params["pending_marker"])
        self.module.exit_json(**self.result)


def main():
    argument_spec = dict(CONNECTION_ARGUMENT_SPEC)
    argument_spec.update(
        server=dict(type="str", required=True),
        service=dict(type="str", default="zookeeper"),
        release_link=dict(type="path"),
        release=dict(type="str"),
        pending_marker=dict(type="path"),
        expected_voters=dict(type="int"),
        repair_servers=dict(type="list", elements="str", default=[]),
        defer_if_leader=dict(type="bool", default=False),
        timeout=dict(type="float", default=300.0),
        interval=dict(type="float", default=0.1),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    Step(module).run()


if __name__ == "__main__":
    main()
