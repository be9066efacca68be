#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: zookeeper_reconfig
short_description: Read or change the membership of a dynamically configured ZooKeeper ensemble
version_added: 0.1.0
description:
  - Reads the configuration the ensemble runs with (C(/zookeeper/config)) and, when asked, changes it with
    ZooKeeper's C(reconfig) operation as the super user (digest authentication), over the client wire protocol
    from the managed node, with the Python standard library only.
  - Idempotent. Servers in O(joining) whose spec is already in the configuration, and ids in O(leaving) that are
    not, need nothing; when nothing is left to do, no C(reconfig) is sent and the module reports no change.
  - The first server of O(servers) that answers is asked; any server forwards C(reconfig) to the leader.
  - This module does not judge whether a change is safe. ZooKeeper commits a configuration whose quorum it can
    reach without the joining servers, so a voter that does not run is admitted; the role adds a voter only once
    it is synced, one server at a time, and refuses changes that lose the old quorum (see the role's README).
seealso:
  - module: zkforge.zookeeper.zookeeper_info
    description: Reports the membership the ensemble runs with and how the inventory differs from it.
author: zkforge maintainers (@zkforge)
extends_documentation_fragment:
  - zkforge.zookeeper.tls
attributes:
  check_mode:
    description: Whether the module can run in check mode, and what it does then.
    support: full
    details: It reads the configuration and reports whether a reconfig would be sent, without sending it.
  diff_mode:
    description: Whether the module reports a diff of what it changed.
    support: full
    details: The server lines of the configuration before and after.
options:
  servers:
    description: Servers to ask, C(host:port) of their client ports (the TLS port when O(tls)); the first that
      answers is used.
    type: list
    elements: str
    default: ["127.0.0.1:2181"]
  connect_timeout:
    description: Seconds to wait for a connection and for each answer.
    type: float
    default: 10
  super_user:
    description: The super user's name (C(DigestAuthenticationProvider.superDigest) names it).
    type: str
    default: super
  super_password:
    description:
      - The super user's password. Needed to change the configuration, not to read it.
      - A wrong password is not refused at login (digest authentication takes any password); C(reconfig) then
        fails as not authorised.
    type: str
  sasl:
    description:
      - Log in with SASL DIGEST-MD5 as O(super_user) (a user of the servers' JAAS C(Server) context, named
        C(superUser) in zoo.cfg) instead of the digest scheme, right after connecting. Needed where the servers
        enforce client SASL (C(enforce.auth.enabled)), which refuse every request of a session that has not,
        reading the configuration too.
    type: bool
    default: false
  joining:
    description:
      - Servers to add, or to change (same id, another address, port or role), as C(server.N=...) specs with the
        client port, for example C(server.4=zk4:2888:3888:participant;0.0.0.0:2181).
    type: list
    elements: str
    default: []
  leaving:
    description: Ids of servers to remove.
    type: list
    elements: int
    default: []
  from_config:
    description:
      - Apply the change only to this configuration version (as RV(before.version) reported it); another version
        fails the module (someone else changed the configuration in between). -1, any version.
    type: int
    default: -1
"""

EXAMPLES = r"""
- name: The configuration the ensemble runs with
  zkforge.zookeeper.zookeeper_reconfig:
    servers: [zk1:2181]
  register: config

- name: Add server 4 as a voter, once it is synced as a non-voting follower
  zkforge.zookeeper.zookeeper_reconfig:
    servers: [zk1:2181, zk2:2181, zk3:2181]
    super_password: "{{ vault_zookeeper_super_password }}"
    joining: ["server.4=zk4:2888:3888:participant;0.0.0.0:2181"]

- name: Remove server 5
  zkforge.zookeeper.zookeeper_reconfig:
    servers: [zk1:2181, zk2:2181, zk3:2181]
    super_password: "{{ vault_zookeeper_super_password }}"
    leaving: [5]
"""

RETURN = r"""
server:
  description: The server that was asked.
  returned: always
  type: str
  sample: "zk1:2181"
before:
  description: The configuration before, as C(/zookeeper/config) holds it.
  returned: always
  type: dict
  contains:
    version:
      description: Its version (hexadecimal zxid as an integer; null for a configuration never changed).
      type: int
      sample: 4294967296
    members:
      description: Its server lines.
      type: list
      elements: str
      sample: ["server.1=zk1:2888:3888:participant;0.0.0.0:2181"]
after:
  description: The configuration the leader committed, or the one before when nothing was sent.
  returned: always
  type: dict
  sample: {version: 4294967300, members: ["server.1=zk1:2888:3888:participant;0.0.0.0:2181"]}
connection_lost:
  description: >-
    Set when the server hung up before answering the reconfig (as it does when the leader or the server asked
    leaves) and a server then showed the change committed: what was lost. Without such a server the module fails.
  returned: when the answer was lost but the change is in place
  type: str
  sample: "zk1:2181: the server closed the session"
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.zkforge.zookeeper.plugins.module_utils.client import (
    TLS_ARGUMENT_SPEC,
    ZooKeeperError,
    tls_context,
)
from ansible_collections.zkforge.zookeeper.plugins.module_utils.membership import (
    MembershipError,
    member_spec,
    parse_config,
    parse_member,
)
from ansible_collections.zkforge.zookeeper.plugins.module_utils.reconfig import (
    ReconfigError,
    credential,
    open_first,
    send,
    still_to_do,
)


def _summary(config):
    return dict(version=config["version"],
                members=[member_spec(config["members"][sid]) for sid in sorted(config["members"])])


def main():
    argument_spec = dict(
        servers=dict(type="list", elements="str", default=["127.0.0.1:2181"]),
        connect_timeout=dict(type="float", default=10.0),
        super_user=dict(type="str", default="super"),
        super_password=dict(type="str", no_log=True),
        sasl=dict(type="bool", default=False),
        joining=dict(type="list", elements="str", default=[]),
        leaving=dict(type="list", elements="int", default=[]),
        from_config=dict(type="int", default=-1),
        **TLS_ARGUMENT_SPEC
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    try:
        joining = [parse_member(*spec.split("=", 1)) for spec in params["joining"]]
    except (MembershipError, TypeError) as exc:
        module.fail_json(msg="joining: %s" % exc)
    for member in joining:
        if not member["client_port"]:
            module.fail_json(msg="joining: %s names no client port (';[address:]port'); ZooKeeper needs one in a "
                                 "reconfig" % member_spec(member))
    both = sorted(set(m["id"] for m in joining) & set(params["leaving"]))
    if both:
        module.fail_json(msg="server %s both joining and leaving" % ", ".join(map(str, both)))
    try:
        tls = tls_context(params)
    except ZooKeeperError as exc:
        module.fail_json(msg=str(exc))
    login = credential(params["super_user"], params["super_password"], params["sasl"])
    if params["sasl"] and not params["super_password"]:
        module.fail_json(msg="super_password is needed to log in with SASL (sasl: true)")
    try:
        server, session = open_first(params["servers"], params["connect_timeout"], tls,
                                     login if params["sasl"] else None)
    except ReconfigError as exc:
        module.fail_json(msg=str(exc))
    with session:
        try:
            before = parse_config(session.get_config())
        except (ZooKeeperError, MembershipError) as exc:
            module.fail_json(msg="%s: cannot read the configuration: %s" % (server, exc), server=server)
        join, leave = still_to_do(before, joining, params["leaving"])
        result = dict(server=server, before=_summary(before), after=_summary(before), changed=bool(join or leave))
        if not result["changed"] or module.check_mode:
            module.exit_json(**result)
        if params["from_config"] != -1 and before["version"] != params["from_config"]:
            module.fail_json(msg="the configuration is at version %s, not %s: it changed since it was read"
                             % (before["version"], params["from_config"]), **result)
        if not params["super_password"]:
            module.fail_json(msg="super_password is needed to change the configuration", **result)
        try:
            after, lost = send(session, params["servers"], params["connect_timeout"], tls, login, join, leave,
                               params["from_config"], logged_in=params["sasl"])
        except ReconfigError as exc:
            module.fail_json(msg=str(exc), **result)
    if lost:
        result["connection_lost"] = lost
    result["after"] = _summary(after)
    if module._diff:
        result["diff"] = dict(before="\n".join(result["before"]["members"]) + "\n",
                              after="\n".join(result["after"]["members"]) + "\n")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
