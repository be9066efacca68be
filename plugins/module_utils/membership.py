# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""Membership of a dynamically configured ensemble: the configuration ZooKeeper keeps in /zookeeper/config read
into members and written back as server specs, and verdicts on a change from one membership to another, made
before anything is touched. Pure functions: unit-tested without servers.

A member is a dict: id (int), address, quorum_port, election_port, role ('participant' or 'observer'),
client_address, client_port (None when the spec names no client port)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

ROLES = ("participant", "observer")

_SPEC = re.compile(
    r"^(?P<address>\[[^\]]+\]|[^:;\s]+):(?P<quorum>\d+):(?P<election>\d+)(?::(?P<role>[a-z]+))?"
    r"(?:;(?:(?P<caddress>\[[^\]]+\]|[^:;\s]+):)?(?P<cport>\d+))?$")


class MembershipError(ValueError):
    """A configuration that cannot be read, or a spec that cannot be written."""


def parse_member(key, value):
    """One line of the dynamic configuration: 'server.3', '10.0.0.3:2888:3888:participant;0.0.0.0:2181'."""
    prefix, dummy, number = key.partition(".")
    if prefix != "server" or not number.isdigit():
        raise MembershipError("not a server line: %s=%s" % (key, value))
    match = _SPEC.match(value.strip())
    if not match:
        raise MembershipError("cannot read the server spec %s=%s" % (key, value))
    role = match.group("role") or "participant"
    if role not in ROLES:
        raise MembershipError("unknown role '%s' in %s=%s" % (role, key, value))
    return {
        "id": int(number),
        "address": match.group("address").strip("[]"),
        "quorum_port": int(match.group("quorum")),
        "election_port": int(match.group("election")),
        "role": role,
        "client_address": (match.group("caddress") or "0.0.0.0").strip("[]") if match.group("cport") else None,
        "client_port": int(match.group("cport")) if match.group("cport") else None,
    }


def parse_config(text):
    """The text of /zookeeper/config (or a dynamic configuration file) -> {'version': int or None,
    'members': {id: member}}. Lines other than server.N and version (group/weight of hierarchical quorums) are
    refused: the collection does not manage them and must not drop them in a reconfig."""
    members, version = {}, None
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise MembershipError("cannot read the configuration line '%s'" % line)
        key = key.strip()
        if key == "version":
            version = int(value.strip(), 16)
        elif key.startswith("server."):
            member = parse_member(key, value)
            members[member["id"]] = member
        else:
            raise MembershipError("the configuration has '%s', which this collection does not manage "
                                  "(hierarchical quorums?)" % key)
    return {"version": version, "members": members}


def _host(address):
    return "[%s]" % address if ":" in address else address


def member_spec(member):
    """The 'server.N=...' line of a member, as reconfig and the dynamic configuration file take it."""
    spec = "server.%d=%s:%d:%d:%s" % (member["id"], _host(member["address"]), member["quorum_port"],
                                      member["election_port"], member["role"])
    if member.get("client_port"):
        spec += ";%s:%d" % (_host(member.get("client_address") or "0.0.0.0"), member["client_port"])
    return spec


def voters(members):
    """Ids of the participants of a membership ({id: member})."""
    return sorted(i for i, m in members.items() if m["role"] == "participant")


def quorum(count):
    """Votes a majority of count voters needs."""
    return count // 2 + 1


def _same_place(old, new):
    keys = ("address", "quorum_port", "election_port")
    return all(old[k] == new[k] for k in keys)


def changes(old, new):
    """What turns membership old into new ({id: member} each), as lists of ids: added, removed, moved (same id,
    another address or ports: a replaced server), promoted (observer -> participant), demoted (participant ->
    observer), updated (only the client address or port, when both name one: a server started from zoo.cfg's
    server lines has none in the configuration, and its client port is in zoo.cfg instead)."""
    result = dict(added=[], removed=[], moved=[], promoted=[], demoted=[], updated=[])
    for sid in sorted(set(old) | set(new)):
        if sid not in new:
            result["removed"].append(sid)
        elif sid not in old:
            result["added"].append(sid)
        elif not _same_place(old[sid], new[sid]):
            result["moved"].append(sid)
        elif old[sid]["role"] != new[sid]["role"]:
            result["promoted" if new[sid]["role"] == "participant" else "demoted"].append(sid)
        elif old[sid]["client_port"] and new[sid]["client_port"] and member_spec(old[sid]) != member_spec(new[sid]):
            result["updated"].append(sid)
    return result


def problems(old, new, alive, allow_even=False):
    """Why the change from membership old to new must not be started, as sentences naming the servers; [] when
    it may. alive: ids of old members that serve now (a voter that does not serve cannot vote for anything).

    - The voters that stay, in the same place and serving, must be a quorum of the old voters: every step
      between the two is committed by a quorum of the old configuration, and the servers that join are not
      synced yet.
    - The new configuration needs at least one voter, and an odd number of voters unless allow_even.
    - A replaced server (same id, another host) counts as leaving: taken together with other removals in the same
      run it must not lose the old quorum either (two changes that each look safe alone)."""
    found = []
    old_voters, new_voters = voters(old), voters(new)
    if not new_voters:
        return ["the new configuration has no voters (participants)"]
    kept = [sid for sid in old_voters
            if sid in new and new[sid]["role"] == "participant" and _same_place(old[sid], new[sid])
            and sid in alive]
    need = quorum(len(old_voters))
    if len(kept) < need:
        what = changes(old, new)
        gone = sorted(set(what["removed"]) | set(what["moved"]) | set(what["demoted"]))
        down = sorted(sid for sid in old_voters if sid not in alive)
        reasons = []
        if gone:
            reasons.append("leaving, replaced or becoming observers: %s" % ", ".join(map(str, gone)))
        if down:
            reasons.append("not serving now: %s" % ", ".join(map(str, down)))
        found.append(
            "only %d of the %d voters (%s) would stay and can vote (%s); a quorum of the current configuration "
            "is %d. Make the change in smaller runs, or bring the stopped voters back first"
            % (len(kept), len(old_voters), ", ".join(map(str, old_voters)), "; ".join(reasons) or "none", need))
    if len(new_voters) % 2 == 0 and not allow_even:
        found.append(
            "the new configuration would have %d voters (%s): an even number tolerates no more failures than one "
            "voter fewer. Make one of them an observer, add or remove one more, or set "
            "zookeeper_allow_even_voters: true" % (len(new_voters), ", ".join(map(str, new_voters))))
    return found


def steps(old, new):
    """The reconfig operations that take membership old to new, one server per step, in a safe order: replaced
    servers' new places and client port updates first, then servers that join as observers (no voter added),
    then voters that join or are promoted, one at a time (each synced before its step), and only then demotions
    and removals: adding before taking away keeps the failures the ensemble tolerates from falling during the
    change (3 -> 4 -> 3 tolerates one throughout; 3 -> 2 -> 3 tolerates none in between). Each step:
    {'action', 'id', 'joining' (specs) or 'leaving' (ids)}."""
    what = changes(old, new)
    ordered = []
    for sid in what["moved"]:
        ordered.append(dict(action="move", id=sid, joining=[member_spec(new[sid])]))
    for sid in what["updated"]:
        ordered.append(dict(action="update", id=sid, joining=[member_spec(new[sid])]))
    for sid in what["added"]:
        if new[sid]["role"] == "observer":
            ordered.append(dict(action="add", id=sid, joining=[member_spec(new[sid])]))
    for sid in what["promoted"]:
        ordered.append(dict(action="promote", id=sid, joining=[member_spec(new[sid])]))
    for sid in what["added"]:
        if new[sid]["role"] == "participant":
            ordered.append(dict(action="add", id=sid, joining=[member_spec(new[sid])]))
    for sid in what["demoted"]:
        ordered.append(dict(action="demote", id=sid, joining=[member_spec(new[sid])]))
    for sid in what["removed"]:
        ordered.append(dict(action="remove", id=sid, leaving=[sid]))
    return ordered


def plan(running, wanted_specs, alive, dynamic, allow_even=False):
    """What a converge must do about membership before anything else: {'change': bool, 'problems': [sentences],
    'steps': [reconfig steps]}.

    running: the membership the ensemble runs with, as zookeeper_info reports it ({'version', 'members': [member]})
    or None when no server reports one (a first bootstrap, or an ensemble that is down: nothing to compare).
    wanted_specs: the inventory's members as reconfig specs. alive: ids of the servers serving now. dynamic:
    whether the running servers have dynamic reconfiguration; a static ensemble's membership is never changed."""
    if not running:
        return dict(change=False, problems=[], steps=[])
    current = dict((m["id"], m) for m in running["members"])
    wanted = parse_config("\n".join(wanted_specs))["members"]
    what = changes(current, wanted)
    if not any(what[k] for k in ("added", "removed", "moved", "promoted", "demoted")):
        return dict(change=False, problems=[], steps=[])
    if not dynamic:
        return dict(change=True, steps=[], problems=[
            "the ensemble runs a static configuration, where changing members by rewriting zoo.cfg and restarting "
            "servers one at a time can split it into two quorums. Run once with zookeeper_reconfig_enabled: true "
            "(and zookeeper_super_password) and the inventory as the ensemble runs now, one gated roll; then change "
            "the membership"])
    found = problems(current, wanted, alive, allow_even)
    return dict(change=True, problems=found, steps=[] if found else steps(current, wanted))


def handoff(config, server_id, client_port=None):
    """Leadership hand-off for a restart of the leader: (this server's member as an observer, None) when it can
    step out of the voting configuration for its restart, else (None, why not). ZooKeeper then designates a
    successor among the voters that acknowledged the change, with no election; the roll gives the server its
    vote back once it is synced again. Not with fewer than three voters (two would be left with one). A member
    without a client port in the configuration gets `client_port` on all addresses."""
    member = config["members"].get(server_id)
    if not config["version"]:  # none, or 0: the version of a static configuration never changed
        return None, "the configuration is static (no dynamic configuration version)"
    if member is None:
        return None, "server %s is not in the configuration" % server_id
    if member["role"] != "participant":
        return None, "server %s is not a voter" % server_id
    if len(voters(config["members"])) < 3:
        return None, "fewer than three voters"
    observer = dict(member, role="observer")
    if not observer.get("client_port"):  # started from static server lines: reconfig needs one, the port it serves
        if not client_port:
            return None, "server %s has no client port in the configuration, which reconfig needs" % server_id
        observer.update(client_address="0.0.0.0", client_port=int(client_port))
    return observer, None
