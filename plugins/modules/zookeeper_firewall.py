#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: zookeeper_firewall
short_description: Apply the ZooKeeper ports' firewall rules of a host in one step, through ufw or firewalld
version_added: 0.1.0
description:
  - Reads once what the host firewall allows, adds the rules that are missing, removes the rules this module
    made on an earlier run that are no longer wanted, and records the rules it made in a ledger file on the
    host. Rules it did not make are never removed, including a wanted rule that was there before it (an
    operator's own), which it does not record.
  - A rule is a pair C([port, source]), a TCP port open to inbound traffic from an address, a CIDR or C(any).
  - C(ufw) - the rules carry the comment O(comment); O(keep_open) ports are allowed from anywhere first, then
    incoming traffic is denied by default and ufw is enabled. The ports wanted for one source are added as one
    rule of ufw's multiport form (up to 15 ports), so a peer's client, quorum and election ports cost one C(ufw)
    process, not three. Such a rule is deleted as a whole, and its ports still wanted are added again first.
  - C(firewalld) - ports open to C(any) are zone ports, the others rich rules, in the default zone, both
    permanent and at runtime. firewalld must be running.
  - One read and only the commands for what differs, where a loop over M(community.general.ufw) or
    M(ansible.posix.firewalld) runs several firewall commands per rule on every run.
seealso:
  - name: "Ports a ZooKeeper server listens on (ZooKeeper Administrator's Guide)"
    description: The client port and the quorum and election ports of C(server.N) that the rules open.
    link: https://zookeeper.apache.org/doc/current/zookeeperAdmin.html
author: zkforge maintainers (@zkforge)
attributes:
  check_mode:
    description: Whether the module can run in check mode, and what it does then.
    support: full
    details: It reports the rules it would add and remove, without changing the firewall or the ledger.
  diff_mode:
    description: Whether the module reports a diff of what it changed.
    support: full
    details: The rules the firewall allows that concern this module, before and after.
options:
  backend:
    description: The firewall to manage.
    type: str
    choices: [ufw, firewalld]
    required: true
  rules:
    description: Every rule wanted, as C([port, source]) pairs.
    type: list
    elements: raw
    required: true
  ledger:
    description: The file (JSON) holding the rules this module made, read to find stale rules and rewritten.
    type: path
    required: true
  keep_open:
    description: ufw only - TCP ports allowed from anywhere before ufw denies incoming traffic (the SSH port).
    type: list
    elements: int
    default: []
  comment:
    description: ufw only - the comment on the rules this module adds.
    type: str
    default: zookeeper
  keep_open_comment:
    description: ufw only - the comment on the O(keep_open) rules.
    type: str
    default: ssh (kept open by zkforge.zookeeper)
"""

EXAMPLES = r"""
- name: ZooKeeper ports open to the other members only, client port to anyone
  zkforge.zookeeper.zookeeper_firewall:
    backend: ufw
    rules: [[2181, any], [2888, 10.0.0.12], [3888, 10.0.0.12], [2888, 10.0.0.13], [3888, 10.0.0.13]]
    ledger: /opt/zookeeper/.firewall-rules.json
    keep_open: [22]
"""

RETURN = r"""
added:
  description: The rules added (in check mode, that would be added). For firewalld, added to the permanent or
    the runtime configuration or both.
  returned: always
  type: list
  elements: list
  sample: [[2888, 10.0.0.14], [3888, 10.0.0.14]]
removed:
  description: The rules removed because an earlier run made them and they are no longer wanted.
  returned: always
  type: list
  elements: list
  sample: [[2888, 10.0.0.13]]
commands:
  description: The firewall commands run (in check mode, that would run).
  returned: always
  type: list
  elements: list
  sample: [[ufw, allow, proto, tcp, from, 10.0.0.14, to, any, port, "2181,2888,3888", comment, zookeeper]]
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.zkforge.zookeeper.plugins.module_utils.firewall import (
    by_source, firewalld_allowed, ledger_after, parse_firewalld_list_all, parse_ufw_rules, parse_ufw_status, plan,
    rich_rule, ufw_allowed, ufw_command, ufw_plan, ufw_port_rules)

UFW_RULE_FILES = (("/etc/ufw/user.rules", "/etc/ufw/user6.rules"), ("/lib/ufw/user.rules", "/lib/ufw/user6.rules"))


def _run(module, argv):
    rc, out, err = module.run_command(argv)
    if rc != 0:
        module.fail_json(msg="%s failed (rc %d): %s" % (" ".join(argv), rc, (err or out).strip()), rc=rc)
    return out


def _read_ledger(module, path):
    try:
        with open(path) as handle:
            text = handle.read()
    except (IOError, OSError):
        return []
    try:
        made = json.loads(text or "[]")
    except ValueError as exc:
        module.fail_json(msg="the firewall ledger %s is not JSON (%s); move it away and run again: rules this "
                             "role made earlier are then no longer removed when unwanted" % (path, exc))
    return [list(rule) for rule in made if isinstance(rule, list) and len(rule) == 2]


def _write_ledger(module, path, rules):
    content = json.dumps(rules) + "\n"
    try:
        with open(path) as handle:
            if handle.read() == content:
                return False
    except (IOError, OSError):
        pass
    if not module.check_mode:
        tmp = path + ".tmp"
        with open(tmp, "w") as handle:
            handle.write(content)
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)
    return True


def _ufw(module, rules, made):
    params = module.params
    text = ""
    for files in UFW_RULE_FILES:
        if os.path.exists(files[0]):
            for name in files:
                if os.path.exists(name):
                    with open(name) as handle:
                        text += handle.read()
            break
    found = parse_ufw_rules(text)
    present = ufw_allowed(found)
    keep = [[port, "any"] for port in params["keep_open"]]
    add_keep = plan(keep, [], present)[0]
    # One ufw process per rule, and a rule may hold several ports of one source (a peer's client, quorum and
    # election ports): see ufw_plan.
    add, remove, commands = ufw_plan(rules, made, ufw_port_rules(found), params["comment"])
    status = parse_ufw_status(_run(module, ["ufw", "status", "verbose"]))
    commands = [ufw_command(ports, source, params["keep_open_comment"]) for ports, source in by_source(add_keep)] \
        + commands
    if status["incoming"] != "deny":
        commands.append(["ufw", "default", "deny", "incoming"])
    if not status["active"]:
        commands.append(["ufw", "--force", "enable"])
    return present, add_keep + add, remove, commands


def _firewalld(module, rules, made):
    commands, added, removed, before = [], [], [], []
    for view in ([], ["--permanent"]):
        present = firewalld_allowed(parse_firewalld_list_all(_run(module, ["firewall-cmd"] + view + ["--list-all"])))
        if not view:
            before = present
        add, remove = plan(rules, made, present)
        # firewall-cmd takes several rules of one kind per call, but not additions and removals together.
        batches = [["--add-port=%d/tcp" % port for port, source in add if source == "any"],
                   ["--add-rich-rule=%s" % rich_rule(rule) for rule in add if rule[1] != "any"],
                   ["--remove-port=%d/tcp" % port for port, source in remove if source == "any"],
                   ["--remove-rich-rule=%s" % rich_rule(rule) for rule in remove if rule[1] != "any"]]
        commands += [["firewall-cmd"] + view + options for options in batches if options]
        added += [rule for rule in add if rule not in added]
        removed += [rule for rule in remove if rule not in removed]
    return before, added, removed, commands


def main():
    module = AnsibleModule(
        argument_spec=dict(
            backend=dict(type="str", choices=["ufw", "firewalld"], required=True),
            rules=dict(type="list", elements="raw", required=True),
            ledger=dict(type="path", required=True),
            keep_open=dict(type="list", elements="int", default=[]),
            comment=dict(type="str", default="zookeeper"),
            keep_open_comment=dict(type="str", default="ssh (kept open by zkforge.zookeeper)"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    rules = []
    for rule in params["rules"]:
        if not (isinstance(rule, (list, tuple)) and len(rule) == 2 and str(rule[0]).isdigit()):
            module.fail_json(msg="rules: %r is not a [port, source] pair" % (rule,))
        if [int(rule[0]), str(rule[1])] not in rules:
            rules.append([int(rule[0]), str(rule[1])])
    made = _read_ledger(module, params["ledger"])
    apply = _ufw if params["backend"] == "ufw" else _firewalld
    before, added, removed, commands = apply(module, rules, made)
    if not module.check_mode:
        for argv in commands:
            _run(module, argv)
    ledger_changed = _write_ledger(module, params["ledger"], ledger_after(rules, made, added))
    after = [rule for rule in before if rule not in removed] + [rule for rule in added if rule not in before]
    module.exit_json(changed=bool(commands) or ledger_changed, added=added, removed=removed, commands=commands,
                     diff=dict(before={"rules": before}, after={"rules": after}))


if __name__ == "__main__":
    main()
