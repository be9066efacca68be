# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""The host firewall as the role sees it: which (port, source) pairs a backend allows now, read from what ufw and
firewalld print or store, and what to add and remove to reach the wanted set. Pure functions; the module
(plugins/modules/zookeeper_firewall.py) does the I/O.

A rule is a pair [port, source]: a TCP port open to inbound traffic from `source`, an address, a CIDR or "any".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import re

ANY_SOURCES = ("0.0.0.0/0", "::/0")

# ufw keeps one line per rule in its user rules files (/etc/ufw/user.rules, user6.rules):
#   ### tuple ### allow tcp 2181 0.0.0.0/0 any 172.18.0.4 in comment=7a6f6f6b6565706572
# action, protocol, destination port, destination, source port, source, direction, then the comment in hex.
_UFW_TUPLE = re.compile(r"^### tuple ### (?P<action>\S+) (?P<proto>\S+) (?P<dport>\S+) (?P<dst>\S+) (?P<sport>\S+) "
                        r"(?P<src>\S+) (?P<direction>\S+)(?: comment=(?P<comment>[0-9a-fA-F]*))?\s*$")

# firewalld prints a rich rule in its normalised form:
#   rule family="ipv4" source address="172.18.0.4" port port="2181" protocol="tcp" accept
_RICH_RULE = re.compile(r'^rule family="(?P<family>ipv4|ipv6)" source address="(?P<src>[^"]+)" '
                        r'port port="(?P<port>\d+)" protocol="tcp" accept$')


def _source(address):
    return "any" if address in ANY_SOURCES else address


def parse_ufw_rules(text):
    """Every rule tuple in the text of a ufw user rules file, as a dict."""
    rules = []
    for line in text.splitlines():
        match = _UFW_TUPLE.match(line.strip())
        if not match:
            continue
        rule = match.groupdict()
        try:
            rule["comment"] = binascii.unhexlify(rule["comment"] or "").decode("utf-8", "replace")
        except (TypeError, ValueError):
            rule["comment"] = ""
        rules.append(rule)
    return rules


def ufw_allowed(rules):
    """The [port, source] pairs that ufw rules allow: inbound TCP to one port on any local address, from any
    source port. Other rules (ranges, udp, outbound, deny) are not the role's and are left out."""
    allowed = []
    for rule in rules:
        if (rule["action"], rule["proto"], rule["direction"], rule["sport"]) != ("allow", "tcp", "in", "any"):
            continue
        if rule["dst"] not in ANY_SOURCES or not rule["dport"].isdigit():
            continue
        pair = [int(rule["dport"]), _source(rule["src"])]
        if pair not in allowed:
            allowed.append(pair)
    return allowed


def parse_ufw_status(text):
    """`ufw status verbose`: whether ufw is active and its default policy for incoming traffic."""
    active = bool(re.search(r"^Status: active\s*$", text, re.M))
    match = re.search(r"^Default: (\w+) \(incoming\)", text, re.M)
    return {"active": active, "incoming": match.group(1) if match else ""}


def ufw_command(rule, comment, delete=False):
    """The ufw command line that adds (or deletes) one rule."""
    port, source = rule
    command = ["ufw", "delete"] if delete else ["ufw"]
    return command + ["allow", "proto", "tcp", "from", source, "to", "any", "port", str(port), "comment", comment]


def rich_rule(rule):
    """The rich rule, in firewalld's normalised form, that opens the port to the source."""
    port, source = rule
    family = "ipv6" if ":" in source else "ipv4"
    return 'rule family="%s" source address="%s" port port="%d" protocol="tcp" accept' % (family, source, port)


def parse_firewalld_list_all(text):
    """`firewall-cmd [--permanent] --list-all`: the zone's open ports and its rich rules."""
    ports, rich, in_rich = [], [], False
    for line in text.splitlines():
        stripped = line.strip()
        if re.match(r"^\s+ports:", line):
            ports = stripped.split(":", 1)[1].split()
            in_rich = False
        elif re.match(r"^\s+rich rules:", line):
            in_rich = True
            rest = stripped.split(":", 1)[1].strip()
            if rest:
                rich.append(rest)
        elif in_rich and line.startswith("\t") and stripped.startswith("rule "):
            rich.append(stripped)
        elif re.match(r"^\s+[\w-]+( \w+)?:", line):
            in_rich = False
    return {"ports": ports, "rich_rules": rich}


def firewalld_allowed(listing):
    """The [port, source] pairs a firewalld zone allows: TCP ports open to anyone, and rich rules that accept
    TCP to one port from one source."""
    allowed = []
    for entry in listing["ports"]:
        port, proto = entry.partition("/")[::2]
        if proto == "tcp" and port.isdigit() and [int(port), "any"] not in allowed:
            allowed.append([int(port), "any"])
    for text in listing["rich_rules"]:
        match = _RICH_RULE.match(text)
        if match:
            pair = [int(match.group("port")), match.group("src")]
            if pair not in allowed:
                allowed.append(pair)
    return allowed


def plan(wanted, made, present):
    """What to add and what to remove. `wanted`: the rules the role wants now; `made`: the rules it recorded
    making before (its ledger); `present`: what the firewall allows now. Rules the role did not make are never
    removed; a rule it made that is gone already is not removed again."""
    wanted = [list(rule) for rule in wanted]
    add = [rule for rule in wanted if rule not in present]
    remove = [list(rule) for rule in made if list(rule) not in wanted and list(rule) in present]
    return add, remove
