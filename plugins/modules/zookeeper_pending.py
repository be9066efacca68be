#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: zookeeper_pending
short_description: Whether the local ZooKeeper server waits for a restart, and its mode now
version_added: 0.1.0
description:
  - Reads, makes or removes the pending-restart marker of the server on this host, the file saying that the
    server waits for a restart by the roll (the role writes it when the release, configuration or unit changed
    while the server ran; M(zkforge.zookeeper.zookeeper_restart) removes it once the server is synced again).
    The marker's first line names the release to run; empty means the release the server runs now.
  - With O(server), also asks the server itself for its mode (the four-letter word C(srvr) alone), so that a roll
    surveying every host at once knows where the leader is before its first step.
seealso:
  - module: zkforge.zookeeper.zookeeper_restart
    description: Restarts a marked server and clears its marker.
author: zkforge maintainers (@zkforge)
extends_documentation_fragment:
  - zkforge.zookeeper.tls
attributes:
  check_mode:
    description: Whether the module can run in check mode, and what it does then.
    support: full
    details: It reports whether it would make or remove the marker, without doing so.
  diff_mode:
    description: Whether the module reports a diff of what it changed.
    support: full
    details: The marker's presence before and after.
options:
  path:
    description: The marker file.
    type: path
    required: true
  state:
    description:
      - C(query) reads the marker and changes nothing. C(present) makes an empty marker (restart on the release
        running now) unless one is there, whose content is kept. C(absent) removes it.
    type: str
    choices: [query, present, absent]
    default: query
  server:
    description:
      - The local server's client address, C(host:port), to ask for its mode. Omitted, the server is not asked.
    type: str
  connect_timeout:
    description: Seconds to wait for the server to accept a connection and answer.
    type: float
    default: 2.0
"""

EXAMPLES = r"""
- name: Mark every server for a rolling restart, and learn which one leads
  zkforge.zookeeper.zookeeper_pending:
    path: /opt/zookeeper/.restart-required
    state: present
    server: 127.0.0.1:2181
  register: pending
"""

RETURN = r"""
existed:
  description: Whether the marker was there before this module ran.
  returned: always
  type: bool
  sample: false
pending:
  description: Whether the marker is there now (in check mode, would be).
  returned: always
  type: bool
  sample: true
release:
  description: The release the marker names; empty for the release running now.
  returned: when RV(pending) is true
  type: str
  sample: apache-zookeeper-3.9.3-bin
mode:
  description:
    - The server's mode (leader, follower, observer, standalone, read-only), C(not_serving) when it answers but
      does not serve requests (electing a leader, syncing), C(unreachable) when it does not answer, C(unknown)
      when its answer could not be read.
  returned: when O(server) is set
  type: str
  sample: follower
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.zkforge.zookeeper.plugins.module_utils.client import TLS_ARGUMENT_SPEC, server_info
from ansible_collections.zkforge.zookeeper.plugins.module_utils.marker import read_marker


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            state=dict(type="str", choices=["query", "present", "absent"], default="query"),
            server=dict(type="str"),
            connect_timeout=dict(type="float", default=2.0),
            **TLS_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    path, state = module.params["path"], module.params["state"]
    try:
        existed, release = read_marker(path)
    except (IOError, OSError) as exc:
        module.fail_json(msg="cannot read the pending-restart marker %s: %s" % (path, exc))
    pending = {"query": existed, "present": True, "absent": False}[state]
    changed = pending != existed
    if changed and not module.check_mode:
        try:
            if pending:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                os.close(fd)
            else:
                os.unlink(path)
        except (IOError, OSError) as exc:
            module.fail_json(msg="cannot %s the pending-restart marker %s: %s"
                             % ("make" if pending else "remove", path, exc))
    result = dict(changed=changed, existed=existed, pending=pending,
                  diff=dict(before={"pending": existed}, after={"pending": pending}))
    if pending:
        result["release"] = release if existed else ""
    if module.params["server"]:
        params = dict((k, module.params[k]) for k in ["connect_timeout"] + list(TLS_ARGUMENT_SPEC))
        info = server_info(module.params["server"], params, details=False)
        result["mode"] = info["mode"]
    module.exit_json(**result)


if __name__ == "__main__":
    main()
