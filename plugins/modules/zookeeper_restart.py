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
    - stops the systemd unit O(service), its clients sent to the other servers at once (O(client_ports));
    - points O(release_link) at the release to run (O(release), or the first line of O(pending_marker)), if any;
    - starts the unit;
    - waits until the leader counts this server as synced (C(synced) of M(zkforge.zookeeper.zookeeper_wait)),
      then until the whole ensemble is healthy; if meanwhile the unit's process exits or systemd restarts it,
      the step fails at once with the unit's state, exit status and last journal lines (a server that is only
      slow still gets O(timeout));
    - removes O(pending_marker).
  - With O(handoff), the leader of a dynamically configured ensemble hands leadership over before its restart
    instead of leaving the ensemble to elect a new leader when it stops. One C(reconfig) makes it an observer;
    ZooKeeper then designates a synced voter as the next leader, which takes over without an election. The
    server is restarted as an observer, and once it is synced a second C(reconfig) gives its vote back. A server
    that the configuration lists as an observer although O(voter) says it votes (a hand-off that did not finish)
    gets its vote back after its restart the same way. Needs three voters at least and the super user; without
    them, or in a static configuration, the leader is restarted as before and RV(handoff.reason) says why.
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
  handoff:
    description:
      - Hand leadership over to a synced voter before restarting the leader (dynamic configuration only); see
        the description.
    type: bool
    default: false
  voter:
    description:
      - Whether this server votes, as the inventory says. With O(handoff), a server the configuration lists as an
        observer gets its vote back after its restart when this is true.
    type: bool
    default: true
  super_user:
    description: The super user's name, for the C(reconfig) of a hand-off.
    type: str
    default: super
  super_password:
    description: The super user's password, needed for a hand-off.
    type: str
  sasl:
    description:
      - Log in with SASL DIGEST-MD5 as O(super_user) for the hand-off's reads and reconfigs, instead of the
        digest scheme, as servers that enforce client SASL require.
    type: bool
    default: false
  client_ports:
    description:
      - The server is stopped by SIGTERM to its JVM and, at once, C(ss -K) on these local ports (its listening
        sockets closed, every client connection reset), so that its clients reconnect to another server right
        away, and none to it again, instead of waiting for the JVM to exit (about 0.3 s, which it spends waiting
        for its threads in native code; ZooKeeper has no shutdown hook, so nothing else happens in that time).
        Then systemd's stop finds the process gone. The port of O(server) is always included. Where C(ss) or the
        kernel cannot reset connections, the server just stops, and RV(clients_reset) says why.
    type: list
    elements: int
    default: []
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
  sample: {handed_off: 0.62, stopped: 1.03, started: 1.14, synced: 2.01, voting: 2.33, healthy: 2.33}
handoff:
  description: What the leadership hand-off did, when O(handoff) is set and the server restarted.
  returned: when O(handoff) and restarted
  type: dict
  contains:
    done:
      description: Whether leadership was handed over before the restart.
      type: bool
    reason:
      description: Why it was not (not the leader, a static configuration, fewer than three voters...).
      type: str
    successor:
      description: The server that leads after the hand-off.
      type: str
    vote_restored:
      description: Whether the server was given its vote back after its restart.
      type: bool
    connection_lost:
      description: Set when a server hung up during a C(reconfig) whose change was then found committed.
      type: list
      elements: str
  sample: {done: true, successor: "zk2:2181", vote_restored: true}
clients_reset:
  description: How many client connections were reset as the server stopped (see O(client_ports)), or why none.
  returned: when restarted
  type: raw
  sample: 4
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
import signal
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.zkforge.zookeeper.plugins.module_utils.client import (
    CONNECTION_ARGUMENT_SPEC,
    server_info,
    wait_until,
)
from ansible_collections.zkforge.zookeeper.plugins.module_utils.client import ZooKeeperError, tls_context
from ansible_collections.zkforge.zookeeper.plugins.module_utils.ensemble import describe, ensemble_summary, gate
from ansible_collections.zkforge.zookeeper.plugins.module_utils.marker import read_marker
from ansible_collections.zkforge.zookeeper.plugins.module_utils.membership import handoff
from ansible_collections.zkforge.zookeeper.plugins.module_utils.parsers import server_key, split_server
from ansible_collections.zkforge.zookeeper.plugins.module_utils.reconfig import (
    ReconfigError,
    credential,
    open_first,
    read_config,
    send,
)
from ansible_collections.zkforge.zookeeper.plugins.module_utils.systemd import UnitWatch, reset_clients, unit_state


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
        self.voters = self.params["expected_voters"]

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
                            expected_voters=self.voters, watch=watch)
        self.result.update(servers=_compact(waited["servers"]))
        if "ensemble" in waited:
            self.result["ensemble"] = waited["ensemble"]
        if waited["gave_up"]:
            self.result["unit"] = watch.failure
            self.fail("%s %ss after its start, so the roll stops here. It stays marked for a restart (%s); fix the"
                      " cause and run the same playbook again.%s %s"
                      % (condition == "synced" and "did not come back" or "failed", waited["elapsed"],
                         self.params["pending_marker"], self.observer_note(), watch.describe()))
        if not waited["met"]:
            self.fail("not %s %ss after its restart: %s. Last seen: %s. It stays marked for a restart (%s).%s"
                      % (condition, self.params["timeout"], "; ".join(waited["reasons"]),
                         "; ".join(describe(i) for i in waited["servers"]), self.params["pending_marker"],
                         self.observer_note()))
        return waited

    def change_voters(self, by):
        if self.voters is not None:
            self.voters += by

    def observer_note(self):
        if (self.result.get("handoff") or {}).get("done") and not self.result["handoff"].get("vote_restored"):
            return (" It was made an observer to hand leadership over and is one still: the same playbook gives its"
                    " vote back once it is synced after its restart (site.yml does too).")
        return ""

    def tls(self):
        try:
            return tls_context(self.params)
        except ZooKeeperError as exc:
            self.fail(str(exc))

    def login(self):
        return credential(self.params["super_user"], self.params["super_password"], self.params["sasl"])

    def configuration(self):
        try:
            return read_config([self.server] + [s for s in self.servers if s != self.server],
                               self.params["connect_timeout"], self.tls(),
                               self.login() if self.params["sasl"] else None)[1]
        except ReconfigError as exc:
            self.fail("cannot read the configuration for the hand-off: %s" % exc)

    def reconfig(self, member, through, lookup, refusal_ok=False):
        """One reconfig of this server's member, sent through the servers `through` (first that answers); should
        the answer be lost, the servers `lookup` are asked whether the change is in. With refusal_ok, a change
        ZooKeeper refused (nothing changed) returns its reason instead of failing."""
        params = self.params
        timeout, tls = params["connect_timeout"], self.tls()
        try:
            dummy, session = open_first(through, timeout, tls, self.login() if params["sasl"] else None)
            with session:
                dummy, lost = send(session, lookup, timeout, tls, self.login(), [member], [],
                                   logged_in=params["sasl"])
        except ReconfigError as exc:
            if refusal_ok and exc.refused:
                return str(exc)
            self.fail("%s. It stays marked for a restart (%s).%s" % (exc, params["pending_marker"],
                                                                     self.observer_note()))
        if lost:
            self.result["handoff"].setdefault("connection_lost", []).append(lost)
        return None

    def hand_over(self, me, config):
        """Make this server (the leader) an observer: once the reconfig is committed, ZooKeeper's designated
        successor takes over with the other voters, and this server, which can no longer commit anything, is
        stopped at once (left running, it keeps the clients connected to it waiting until it notices at its next
        tick that it leads no more). Returns its member as an observer, or None with the reason in the result
        when it cannot be done."""
        observer, why = handoff(config, me.get("server_id"), split_server(self.server)[1])
        if observer is None:
            self.result["handoff"]["reason"] = why
            return None
        # Sent through another server, and only the others asked should the answer be lost (it often is: a
        # follower drops its clients when it turns to the successor). The old leader never answers it: it does
        # not commit the change itself, and takes new sessions only to keep them waiting until it steps down.
        others = [s for s in self.servers if s != self.server]
        refused = self.reconfig(observer, others, others, refusal_ok=True)
        if refused:  # reconfig disabled (a roll that turns it on), or not authorised: nothing changed
            self.result["handoff"]["reason"] = refused
            self.module.warn("%s: leadership not handed over, the leader restarts with an election: %s"
                             % (self.server, refused))
            return None
        self.result["handoff"]["done"] = True
        self.change_voters(-1)
        return observer

    def stop_dropping_clients(self):
        """Stop the server with its clients sent elsewhere at once: SIGTERM to the JVM (ZooKeeper has no shutdown
        hook, so this is all a stop does), its client ports closed and their connections reset while the JVM
        exits, then the unit's stop, which finds the process gone or going (exit status 143 is clean). Its
        clients' sessions live on."""
        pid = int((unit_state(self.module, self.params["service"]) or {}).get("MainPID") or 0)
        reset = "no main process"
        if pid > 0:
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError as exc:
                reset = "SIGTERM failed: %s" % exc
            else:
                ports = set(self.params["client_ports"]) | set([split_server(self.server)[1]])
                reset = reset_clients(self.module, ports)
        self.result["clients_reset"] = reset
        self.systemctl("stop")

    def restore_vote(self, member):
        """Give this server, synced as an observer, its vote back; wait until the leader counts it synced."""
        everyone = [s for s in self.servers if s != self.server] + [self.server]
        self.reconfig(dict(member, role="participant"), everyone, everyone)
        self.result["handoff"]["vote_restored"] = True
        self.change_voters(1)
        self.result["timings"]["voting"] = self.since_start()
        self.wait("synced", self.params["timeout"])

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
        me = next(i for i in infos if i["server"] == self.server)
        unfinished = None
        if params["handoff"]:
            self.result["handoff"] = dict(done=False, vote_restored=False)
            config = self.configuration()
            member = config["members"].get(me.get("server_id"))
            if params["voter"] and member and member["role"] == "observer":
                unfinished = member  # made an observer by a hand-off that did not finish: one voter less for now
                self.change_voters(-1)
        summary = ensemble_summary(infos, self.voters)
        summary["gate"], problems = gate(infos, summary, [server_key(s) for s in params["repair_servers"]])
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
        if params["handoff"]:
            if me["mode"] != "leader":
                self.result["handoff"]["reason"] = "not the leader"
            elif not params["super_password"]:
                self.result["handoff"]["reason"] = "no super_password"
            else:
                unfinished = self.hand_over(me, config)
                if unfinished:
                    timings["handed_off"] = self.since_start()
        self.stop_dropping_clients()
        timings["stopped"] = self.since_start()
        if link and release != self.result["previous_release"]:
            _switch_link(link, release)
        self.systemctl("start")
        timings["started"] = self.since_start()
        waited = self.wait("synced", params["timeout"], watch=UnitWatch(self.module, params["service"]))
        timings["synced"] = self.since_start()
        if (self.result.get("handoff") or {}).get("done"):
            self.result["handoff"]["successor"] = (waited["ensemble"].get("leader") or {}).get("server")
        if unfinished and params["voter"]:
            if not params["super_password"]:
                self.fail("it is an observer in the configuration while it should vote, and super_password is not"
                          " given to change that. It stays marked for a restart (%s)." % params["pending_marker"])
            self.restore_vote(unfinished)
            waited = {"ensemble": self.result["ensemble"]}
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
        handoff=dict(type="bool", default=False),
        voter=dict(type="bool", default=True),
        super_user=dict(type="str", default="super"),
        super_password=dict(type="str", no_log=True),
        sasl=dict(type="bool", default=False),
        client_ports=dict(type="list", elements="int", default=[]),
        timeout=dict(type="float", default=300.0),
        interval=dict(type="float", default=0.1),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    Step(module).run()


if __name__ == "__main__":
    main()
