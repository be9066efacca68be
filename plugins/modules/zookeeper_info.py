#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: zookeeper_info
short_description: Report the state of ZooKeeper servers and of their ensemble
version_added: 0.1.0
description:
  - Asks every server in O(servers) what it is (mode, id, version, zxid, latency, connections, peer state and, on
    the leader, synced followers, observers and pending syncs) and judges the ensemble from the answers.
  - Reads through the AdminServer's JSON commands or the four-letter words on the client port (O(method)).
    With ZooKeeper's default 4lw whitelist (C(srvr) only) it still reports mode, version and zxid, and lists in
    RV(servers[].missing) what it could not read and why.
  - Never changes anything.
seealso:
  - module: zkforge.zookeeper.zookeeper_wait
    description: Waits for the states this module reports.
  - name: "The four-letter words and the AdminServer (ZooKeeper Administrator's Guide)"
    description: The four-letter words and AdminServer commands this module asks.
    link: https://zookeeper.apache.org/doc/current/zookeeperAdmin.html
author: zkforge maintainers (@zkforge)
extends_documentation_fragment:
  - zkforge.zookeeper.connection
  - zkforge.zookeeper.tls
  - zkforge.zookeeper.attributes
options:
  expected_voters:
    description:
      - How many voters the ensemble is configured with. Default, the leader's C(quorum_size) when it reports
        one, else the number of servers asked that are not observers.
    type: int
  fail_on_unhealthy:
    description: Fail, listing the problems, when the ensemble is not healthy.
    type: bool
    default: false
  repair_servers:
    description:
      - Servers of O(servers) being repaired, which RV(ensemble.gate) lets be down or unsynced (see there).
    type: list
    elements: str
    default: []
  members:
    description:
      - The membership the ensemble should have, as C(server.N=host:quorum_port:election_port[:observer]) lines
        (zoo.cfg's form). When given, RV(ensemble.membership.differences) names every server the running
        configuration adds, lacks, places elsewhere or gives another role.
    type: list
    elements: str
    version_added: 0.1.0
"""

EXAMPLES = r"""
- name: State of the whole ensemble, asked from one member
  zkforge.zookeeper.zookeeper_info:
    servers: [zk1:2181, zk2:2181, zk3:2181]
  register: zk

- name: Stop unless the ensemble is healthy
  ansible.builtin.assert:
    that: zk.ensemble.healthy
    fail_msg: "{{ zk.ensemble.problems }}"

- name: Ask the local server through its AdminServer over HTTPS
  zkforge.zookeeper.zookeeper_info:
    method: admin
    admin_port: 8443
    admin_tls: true
    admin_ca_path: /etc/zookeeper/ca.pem
"""

RETURN = r"""
servers:
  description: What each server said of itself, in the order of O(servers).
  returned: always
  type: list
  elements: dict
  contains:
    server:
      description: The server asked (host:port of the client port).
      type: str
      returned: always
      sample: "zk1:2181"
    reachable:
      description: Whether it answered at all.
      type: bool
      returned: always
      sample: true
    serving:
      description: Whether it serves client requests.
      type: bool
      returned: always
      sample: true
    mode:
      description: >-
        leader, follower, observer, standalone, read-only, not_serving, unreachable, or unknown when it answers
        but neither srvr nor the AdminServer tells its mode.
      type: str
      returned: always
      sample: follower
    tls:
      description: Whether it was asked over TLS (O(tls)).
      type: bool
      returned: when O(tls) is on and the server answered
      sample: true
    certificate:
      description: >-
        The certificate the server presented on its client port: subject, issuer, expiry (C(not_after), UTC) and
        C(days_left), negative once expired; null when it could not be decoded.
      type: dict
      returned: when O(tls) is on and the server answered
      sample:
        subject: "commonName=zk1"
        issuer: "commonName=zkforge CA"
        not_after: "2027-12-02T06:54:23Z"
        days_left: 364
        subject_alt_names: ["DNS:zk1", "IP Address:10.0.0.11"]
    server_id:
      description: Its myid (needs conf).
      type: int
      returned: always
      sample: 2
    version:
      description: ZooKeeper version X.Y.Z.
      type: str
      returned: always
      sample: "3.9.3"
    zxid:
      description: Last zxid as hex and integer, with its epoch and counter.
      type: dict
      returned: when serving
      sample: {hex: "0x200000005", int: 8589934597, epoch: 2, counter: 5}
    latency:
      description: min, avg and max latency in ms.
      type: dict
      returned: when serving
      sample: {min: 0, avg: 0.5, max: 4}
    connections:
      description: Client connections.
      type: int
      returned: when serving
      sample: 3
    outstanding_requests:
      description: Queued requests.
      type: int
      returned: when serving
      sample: 0
    znode_count:
      description: Number of znodes.
      type: int
      returned: when serving
      sample: 42
    peer_state:
      description: Quorum peer state (3.6+).
      type: str
      returned: always
      sample: "following - broadcast"
    synced_followers:
      description: Voting followers in sync (leader only).
      type: int
      returned: on the leader
      sample: 2
    synced_non_voting_followers:
      description: Non-voting followers in sync (leader only).
      type: int
      returned: on the leader
      sample: 0
    synced_observers:
      description: Observers in sync (leader only).
      type: int
      returned: on the leader
      sample: 1
    pending_syncs:
      description: Learners still syncing (leader only).
      type: int
      returned: on the leader
      sample: 0
    learners:
      description: Connected learners (leader only).
      type: int
      returned: on the leader
      sample: 3
    quorum_size:
      description: Voters in the leader's view.
      type: int
      returned: when reported
      sample: 3
    method:
      description: How it was read, admin or fourlw.
      type: str
      returned: always
      sample: fourlw
    missing:
      description: Details that could not be read, each with the reason.
      type: list
      elements: str
      returned: always
      sample: ["mntr: 'mntr' is not in the server's 4lw.commands.whitelist"]
    error:
      description: Why the server could not be asked.
      type: str
      returned: when it could not
      sample: "zk2:2181 - cannot connect (Connection refused)"
    raw:
      description: The full key/values of every answer, by command.
      type: dict
      returned: always
      sample: {srvr: {Mode: follower}}
ensemble:
  description: The ensemble judged from all answers.
  returned: always
  type: dict
  contains:
    leader:
      description: The leader's address and id, or null.
      type: dict
      returned: always
      sample: {server: "zk3:2181", id: 3}
    voters_configured:
      description: Voters the ensemble is configured with.
      type: int
      returned: always
      sample: 3
    voters_serving:
      description: Voters serving as leader or follower.
      type: int
      returned: always
      sample: 3
    observers_serving:
      description: Observers serving.
      type: int
      returned: always
      sample: 0
    versions:
      description: Versions seen.
      type: list
      elements: str
      returned: always
      sample: ["3.9.3"]
    healthy:
      description: One leader, every voter serving, every follower synced, no pending syncs. Mixed versions do not count.
      type: bool
      returned: always
      sample: true
    problems:
      description: Sentences an operator can act on.
      type: list
      elements: str
      returned: always
      sample: ["leader zk3:2181 counts 1 synced voting follower, expected 2"]
    membership:
      description:
        - The configuration the ensemble runs with, as the leader (else the first serving server) lists it in
          C(conf); null when no serving server lists one.
      type: dict
      returned: always
      contains:
        server:
          description: The server it was read from.
          type: str
          returned: when a serving server listed it
          sample: "zk3:2181"
        version:
          description: The configuration's version (a zxid; 0 for a static configuration never changed).
          type: int
          returned: when a serving server listed it
          sample: 0
        members:
          description: Every server of the configuration, by id.
          type: list
          elements: dict
          returned: when a serving server listed it
          sample: [{id: 1, address: zk1, quorum_port: 2888, election_port: 3888, role: participant,
                    client_address: null, client_port: null}]
        differences:
          description:
            - Every server the running configuration adds, lacks, places elsewhere or gives another role, compared
              with O(members); empty when O(members) is not given.
          type: list
          elements: str
          returned: when a serving server listed it
          sample: ["server 4 (zk4:2888:3888:participant) is in the inventory, not in the running configuration"]
    gate:
      description:
        - Whether a server may be restarted now, the check in front of every restart the collection's roll makes.
        - It passes when the ensemble is healthy, or when every server that is not serving is one of
          O(repair_servers) while a leader exists and the serving voters still form a quorum. Restarting a server
          already out of the quorum cannot take anything more away from it; every other server stays protected.
      type: bool
      returned: always
      sample: true
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.zkforge.zookeeper.plugins.module_utils.client import CONNECTION_ARGUMENT_SPEC, server_info
from ansible_collections.zkforge.zookeeper.plugins.module_utils.ensemble import (
    ensemble_summary,
    gate,
    membership_differences,
    running_membership,
)
from ansible_collections.zkforge.zookeeper.plugins.module_utils.membership import MembershipError
from ansible_collections.zkforge.zookeeper.plugins.module_utils.parsers import server_key


def main():
    argument_spec = dict(CONNECTION_ARGUMENT_SPEC)
    argument_spec.update(
        expected_voters=dict(type="int"),
        fail_on_unhealthy=dict(type="bool", default=False),
        repair_servers=dict(type="list", elements="str", default=[]),
        members=dict(type="list", elements="str"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    infos = [server_info(server, module.params) for server in module.params["servers"]]
    summary = ensemble_summary(infos, module.params["expected_voters"])
    repair = [server_key(s) for s in module.params["repair_servers"]]
    summary["gate"] = gate(infos, summary, repair)[0]
    running = running_membership(infos)
    try:
        differences = membership_differences(running, module.params["members"])
    except MembershipError as exc:
        module.fail_json(msg="members: %s" % exc, servers=infos, ensemble=summary)
    if running:
        running["members"] = [running["members"][sid] for sid in sorted(running["members"])]
    summary["membership"] = dict(running, differences=differences) if running else None
    if module.params["fail_on_unhealthy"] and not summary["healthy"]:
        module.fail_json(msg="The ensemble is not healthy: " + "; ".join(summary["problems"]),
                         servers=infos, ensemble=summary)
    module.exit_json(changed=False, servers=infos, ensemble=summary)


if __name__ == "__main__":
    main()
