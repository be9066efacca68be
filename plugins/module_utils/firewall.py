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


def _ufw_ports(dport):
    """The single ports of a ufw tuple's destination port field ("2181", or "2181,2888,3888" for a rule of ufw's
    multiport form); ranges ("2000:2100") are left out."""
    return [int(part) for part in dport.split(",") if part.isdigit()]


def ufw_port_rules(rules):
    """The ufw rules of the role's shape: inbound TCP, from any source port, to one port or a list of ports on
    any local address. Each as {"ports": [...], "source": ..., "comment": ..., "ranges": ...}, "ranges" true when
    the rule also holds port ranges (left out of "ports"; the role never makes such a rule). Other rules (ranges
    only, udp, outbound, deny, to one local address) are left out."""
    found = []
    for rule in rules:
        if (rule["action"], rule["proto"], rule["direction"], rule["sport"]) != ("allow", "tcp", "in", "any"):
            continue
        ports = _ufw_ports(rule["dport"])
        if rule["dst"] not in ANY_SOURCES or not ports:
            continue
        entry = {"ports": ports, "source": _source(rule["src"]), "comment": rule["comment"],
                 "ranges": len(ports) < len(rule["dport"].split(","))}
        if entry not in found:
            found.append(entry)
    return found


def ufw_allowed(rules):
    """The [port, source] pairs that ufw rules allow: inbound TCP to a port on any local address, from any
    source port, one pair per port of a multiport rule. Other rules are not the role's and are left out."""
    return _pairs(ufw_port_rules(rules))


def _pairs(port_rules):
    pairs = []
    for entry in port_rules:
        for port in entry["ports"]:
            if [port, entry["source"]] not in pairs:
                pairs.append([port, entry["source"]])
    return pairs


def parse_ufw_status(text):
    """`ufw status verbose`: whether ufw is active and its default policy for incoming traffic."""
    active = bool(re.search(r"^Status: active\s*$", text, re.M))
    match = re.search(r"^Default: (\w+) \(incoming\)", text, re.M)
    return {"active": active, "incoming": match.group(1) if match else ""}


# iptables' multiport match takes at most 15 ports, and ufw refuses a rule of more.
UFW_MULTIPORT_MAX = 15


def ufw_command(ports, source, comment, delete=False):
    """The ufw command line that adds (or deletes) one rule: TCP from the source to one port or, in ufw's
    multiport form, to several."""
    command = ["ufw", "delete"] if delete else ["ufw"]
    command += ["allow", "proto", "tcp", "from", source, "to", "any", "port", ",".join(str(port) for port in ports)]
    return command + (["comment", comment] if comment else [])


def by_source(pairs):
    """[port, source] pairs grouped into ufw rules: one per source, of at most UFW_MULTIPORT_MAX ports (sorted, as
    ufw stores them), in the order the sources first appear. One ufw process per rule is the cost of a converge
    that adds them."""
    grouped = []
    for port, source in pairs:
        for ports, group_source in grouped:
            if group_source == source and len(ports) < UFW_MULTIPORT_MAX:
                if port not in ports:
                    ports.append(port)
                break
        else:
            grouped.append(([port], source))
    return [(sorted(ports), source) for ports, source in grouped]


def ufw_plan(wanted, made, port_rules, comment):
    """What to add and remove through ufw, as [port, source] pairs, and the commands that do it.

    `port_rules`: ufw_port_rules of what ufw holds. The pairs to remove are plan()'s. ufw deletes whole rules,
    so a rule of several ports that holds a pair to remove is deleted as a whole, and only when it carries the
    role's comment (a multiport rule without it is not the role's); the ports of it still wanted are added
    again. A rule that also holds port ranges is never the role's and never deleted. Additions run before
    deletions, so a wanted port is never closed in between. `removed` is what no longer passes afterwards."""
    add, remove = plan(wanted, made, _pairs(port_rules))
    deleted, readd = [], []
    for entry in port_rules:
        pairs = [[port, entry["source"]] for port in entry["ports"]]
        if not any(pair in remove for pair in pairs) or (len(pairs) > 1 and entry["comment"] != comment) \
                or entry["ranges"]:
            continue
        deleted.append(entry)
        readd += [pair for pair in pairs if pair not in remove and pair in wanted]
    kept = _pairs([entry for entry in port_rules if entry not in deleted])
    add += [pair for pair in readd if pair not in add and pair not in kept]
    commands = [ufw_command(ports, source, comment) for ports, source in by_source(add)]
    commands += [ufw_command(entry["ports"], entry["source"], entry["comment"], delete=True) for entry in deleted]
    return add, [pair for pair in remove if pair not in kept], commands


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


def ledger_after(wanted, made, added):
    """The ledger after a run: the wanted rules this module made, on an earlier run (`made`) or on this one
    (`added`). A wanted rule that was there already and not made by the module (an operator's own) is not
    recorded, so it is never removed when it is no longer wanted."""
    return [list(rule) for rule in wanted if list(rule) in made or list(rule) in added]
