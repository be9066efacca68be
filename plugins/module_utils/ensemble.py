# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""Verdicts on an ensemble from what its servers said: healthy or not and why, is a server synced, does the
gate let a restart through, and in which order a roll restarts the servers. Pure functions, no I/O."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.zkforge.zookeeper.plugins.module_utils.parsers import server_key


def ensemble_summary(infos, expected_voters=None, expected_observers=None):
    """Judge the ensemble from what each server said. `problems` are sentences an operator can act on;
    `healthy` holds when there are none, mixed versions excepted (a roll passes through them)."""
    problems = []
    leaders = [i for i in infos if i["mode"] == "leader"]
    voters_serving = [i for i in infos if i["mode"] in ("leader", "follower")]
    observers = [i for i in infos if i["mode"] == "observer"]
    for info in infos:
        if not info["serving"]:
            detail = info.get("error") or info["mode"].replace("_", " ")
            problems.append("%s is not serving requests (%s)" % (info["server"], detail))
        elif info["mode"] == "standalone":
            problems.append("%s runs standalone, outside any ensemble" % info["server"])
        elif info["mode"] == "read-only":
            problems.append("%s is read-only: it cannot see a quorum" % info["server"])
    if len(leaders) > 1:
        names = ", ".join(i["server"] for i in leaders)
        problems.append("%s servers report leader: %s" % (_count_word(len(leaders)), names))
    elif not leaders and any(i["serving"] for i in infos):
        problems.append("no server reports leader")

    leader = leaders[0] if len(leaders) == 1 else None
    configured = expected_voters
    if configured is None and leader is not None and isinstance(leader.get("quorum_size"), int):
        configured = leader["quorum_size"]
    if configured is None:
        configured = len([i for i in infos if i["mode"] != "observer"])
    if leader is not None:
        name = leader["server"]
        synced = leader.get("synced_followers")
        if synced is None:
            problems.append("leader %s does not say how many followers are synced (%s)"
                            % (name, _why_missing(leader)))
        elif synced < configured - 1:
            problems.append("leader %s counts %s synced voting follower%s, expected %s"
                            % (name, synced, "" if synced == 1 else "s", configured - 1))
        if leader.get("pending_syncs"):
            problems.append("leader %s has %s pending sync%s"
                            % (name, leader["pending_syncs"], "" if leader["pending_syncs"] == 1 else "s"))
        wanted_observers = len(observers) if expected_observers is None else expected_observers
        synced_observers = leader.get("synced_observers")
        if wanted_observers and synced_observers is not None and synced_observers < wanted_observers:
            problems.append("leader %s counts %s synced observer%s, expected %s"
                            % (name, synced_observers, "" if synced_observers == 1 else "s", wanted_observers))
    if len(voters_serving) < configured and len(voters_serving) <= configured // 2:
        problems.append("only %s of %s voters serve: no quorum" % (len(voters_serving), configured))

    healthy = not problems
    versions = {}
    for info in infos:
        if info.get("version"):
            versions.setdefault(info["version"], []).append(info["server"])
    if len(versions) > 1:
        problems.append("mixed versions: " + ", ".join(
            "%s on %s" % (v, ", ".join(servers)) for v, servers in sorted(versions.items())))
    return {
        "leader": {"server": leader["server"], "id": leader.get("server_id")} if leader else None,
        "voters_configured": configured,
        "voters_serving": len(voters_serving),
        "observers_serving": len(observers),
        "versions": sorted(versions),
        "healthy": healthy,
        "problems": problems,
    }


def _count_word(number):
    return {2: "two", 3: "three", 4: "four", 5: "five"}.get(number, str(number))


def _why_missing(info):
    reasons = [m for m in info.get("missing", []) if m.startswith(("mntr", "details"))]
    return "; ".join(reasons) if reasons else "no mntr or AdminServer monitor answer"


def synced(target, infos, summary):
    """Is `target` (one server's info) back in the ensemble: a follower or observer in broadcast state whose
    leader counts every follower (or observer) as synced with no pending syncs? A leader is synced when the
    whole ensemble is healthy. Returns (bool, reason)."""
    if target["mode"] == "leader":
        return summary["healthy"], "; ".join(summary["problems"]) or "leader with every voter synced"
    if target["mode"] not in ("follower", "observer"):
        return False, "%s is %s" % (target["server"], target.get("error") or target["mode"].replace("_", " "))
    peer_state = target.get("peer_state")
    if peer_state is not None and "broadcast" not in str(peer_state):
        return False, "%s is in peer state '%s', not broadcast" % (target["server"], peer_state)
    leaders = [i for i in infos if i["mode"] == "leader"]
    if len(leaders) != 1:
        return False, "%s leaders among the servers asked" % len(leaders)
    leader = leaders[0]
    if target["mode"] == "follower":
        count, wanted, kind = leader.get("synced_followers"), summary["voters_configured"] - 1, "voting follower"
    else:
        count = leader.get("synced_observers")
        wanted, kind = max(summary["observers_serving"], 1), "observer"
    if count is None:
        why = _why_missing(leader)
        return False, "leader %s does not say how many %ss are synced (%s)" % (leader["server"], kind, why)
    if count < wanted:
        return False, "leader %s counts %s synced %ss, expected %s" % (leader["server"], count, kind, wanted)
    if leader.get("pending_syncs"):
        return False, "leader %s has %s pending syncs" % (leader["server"], leader["pending_syncs"])
    return True, "%s is a synced %s" % (target["server"], target["mode"])


def gate(infos, summary, repair=()):
    """The gate in front of every restart of a running ensemble. Returns (passed, problems).

    It passes when the ensemble is healthy. With servers named for repair (addresses as in `infos`), it also
    passes when every problem concerns only those servers: each server that is not serving is named, exactly
    one leader counts every voter as synced except at most the named ones, every unnamed follower is in
    broadcast state, pending syncs are no more than the named servers that are still syncing, and the serving
    voters hold a quorum. Restarting a server that is already out of the quorum cannot take anything more away
    from it, and every other server stays protected."""
    if summary["healthy"]:
        return True, []
    problems = list(summary["problems"])
    repair = set(repair or ())
    if not repair:
        return False, problems
    leaders = [i for i in infos if i["mode"] == "leader"]
    named = [i for i in infos if i["server"] in repair]
    others = [i for i in infos if i["server"] not in repair]
    if len(leaders) != 1:
        return False, problems
    leader = leaders[0]
    refusals = []
    for info in others:
        if not info["serving"] or info["mode"] in ("standalone", "read-only"):
            refusals.append("%s is not named in zookeeper_roll_repair_hosts" % describe(info))
        elif info["mode"] in ("follower", "observer") and info.get("peer_state") is not None \
                and "broadcast" not in str(info["peer_state"]):
            refusals.append("%s (not named for repair) is in peer state '%s', not broadcast"
                            % (info["server"], info["peer_state"]))
    named_voters = [i for i in named if i is not leader and i["mode"] != "observer"]
    synced = leader.get("synced_followers")
    wanted = summary["voters_configured"] - 1 - len(named_voters)
    if synced is None or synced < wanted:
        refusals.append("leader %s counts %s synced voting followers; with %s named for repair at least %s must be"
                        % (leader["server"], synced, len(named_voters), wanted))
    syncing = [i for i in named if i is not leader and i["serving"]
               and "broadcast" not in str(i.get("peer_state") or "")]
    if (leader.get("pending_syncs") or 0) > len(syncing):
        refusals.append("leader %s has %s pending syncs, more than the servers named for repair that are syncing"
                        % (leader["server"], leader["pending_syncs"]))
    if summary["voters_serving"] <= summary["voters_configured"] // 2:
        refusals.append("only %s of %s voters serve: no quorum"
                        % (summary["voters_serving"], summary["voters_configured"]))
    return not refusals, problems + refusals


def roll_survey(surveys, servers):
    """What the roll's survey found. surveys: play host -> zookeeper_pending's result on it; servers: the
    ensemble as zookeeper_servers() builds it. A rolling restart marks every server, but if any server still
    carried a marker from a roll that stopped (existed), the roll resumes with those alone.

    Returns resuming (bool), hosts (those waiting, in inventory order), state ([{server, mode}] of every
    surveyed server) and clients (host -> "host:port")."""
    resuming = any(result.get("existed") for result in surveys.values())
    key = "existed" if resuming else "pending"
    order = [s["host"] for s in servers]
    hosts = [h for h in order if surveys.get(h, {}).get(key)]
    hosts += [h for h in surveys if surveys[h].get(key) and h not in order]
    state = [dict(server=s["client"], mode=surveys[s["host"]]["mode"]) for s in servers
             if surveys.get(s["host"], {}).get("mode")]
    clients = dict((s["host"], s["client"]) for s in servers)
    return dict(resuming=resuming, hosts=hosts, state=state, clients=clients)


def roll_needed(hosts, hostvars):
    """Whether the roll has anything to look at: some host of the play carried a pending-restart marker before
    the play (_zookeeper_was_pending, from preflight), or was marked by it (the handler's result,
    _zookeeper_restart_marked), or every server is to be restarted (_zookeeper_roll_request_all). A host that
    did not pass preflight in this play counts as pending: the survey then asks."""
    for host in hosts:
        facts = hostvars[host]
        if facts.get("_zookeeper_roll_request_all") or facts.get("_zookeeper_was_pending", True):
            return True
        marked = facts.get("_zookeeper_restart_marked") or {}
        if marked.get("changed"):
            return True
    return False


def roll_order(hosts, done, clients, state, repair=()):
    """The servers still waiting in a roll, in the order to restart them: servers named for repair first
    (unless one is the leader), then observers, followers and servers in any other state, the leader last.

    hosts: the inventory hosts that wait; done: those this roll restarted already; clients: host -> "host:port"
    of its client port; state: the ensemble's last answer ([{server, mode}]); repair: host names."""
    modes = dict((server_key(i["server"]), i.get("mode")) for i in state or [])
    waiting = []
    for host in hosts:
        if host in done:
            continue
        address = clients[host]
        waiting.append(dict(host=host, address=address, mode=modes.get(server_key(address)) or "unknown"))

    def rank(item):
        if item["mode"] == "leader":
            return 3
        if item["host"] in repair:
            return 0
        return 1 if item["mode"] == "observer" else 2
    return sorted(waiting, key=rank)


def describe(info):
    """One server's state in a few words, for messages."""
    text = "%s: %s" % (info["server"], info["mode"])
    if info.get("error"):
        text += " (%s)" % info["error"]
    return text


def condition_met(condition, infos, targets, expected_voters):
    """(met, why-not sentences, ensemble summary or None) for one poll."""
    chosen = [i for i in infos if i["server"] in targets]
    if condition == "stopped":
        return all(not i["reachable"] for i in chosen), ["%s still answers" % i["server"] for i in chosen
                                                         if i["reachable"]], None
    if condition == "serving":
        return all(i["serving"] for i in chosen), [describe(i) for i in chosen if not i["serving"]], None
    summary = ensemble_summary(infos, expected_voters)
    if condition == "healthy":
        return summary["healthy"], summary["problems"], summary
    reasons = []
    for info in chosen:
        ok, reason = synced(info, infos, summary)
        if not ok:
            reasons.append(reason)
    return not reasons, reasons, summary


def running_membership(infos):
    """The configuration the ensemble runs with, as its servers' `conf` lists it: the leader's when it answered,
    else the first serving server's. {'server', 'version', 'members': {id: member}} or None when no serving server
    listed one (a server whose `conf` is not whitelisted, or an ensemble that is down)."""
    from ansible_collections.zkforge.zookeeper.plugins.module_utils.membership import MembershipError, parse_config

    ordered = sorted((i for i in infos if i.get("serving")), key=lambda i: i["mode"] != "leader")
    for info in ordered:
        conf = (info.get("raw") or {}).get("conf") or {}
        lines = ["%s=%s" % (k, v) for k, v in conf.items() if k.startswith("server.")]
        if not lines:
            continue
        if "version" in conf:
            lines.append("version=%s" % conf["version"])
        try:
            parsed = parse_config("\n".join(lines))
        except MembershipError:
            continue
        return dict(server=info["server"], version=parsed["version"], members=parsed["members"])
    return None


def membership_differences(running, expected_specs):
    """Sentences naming how the inventory's membership (expected_specs: 'server.N=host:port:port[:role]' lines as
    zoo.cfg carries them) differs from the running one; [] when they agree or nothing runs to compare with."""
    from ansible_collections.zkforge.zookeeper.plugins.module_utils.membership import changes, member_spec, parse_config

    if running is None or not expected_specs:
        return []
    expected = parse_config("\n".join(expected_specs))["members"]
    current = running["members"]
    what = changes(current, expected)
    sentences = []

    def _spec(members, sid):
        return member_spec(dict(members[sid], client_port=None)).split("=", 1)[1]

    for sid in what["added"]:
        sentences.append("server %d (%s) is in the inventory, not in the running configuration" % (sid, _spec(expected, sid)))
    for sid in what["removed"]:
        sentences.append("server %d (%s) runs in the ensemble, not in the inventory" % (sid, _spec(current, sid)))
    for sid in what["moved"]:
        sentences.append("server %d runs as %s, the inventory puts it at %s" % (sid, _spec(current, sid), _spec(expected, sid)))
    for kind in ("promoted", "demoted"):
        for sid in what[kind]:
            sentences.append("server %d runs as %s, the inventory makes it %s" % (
                sid, current[sid]["role"], "a participant" if kind == "promoted" else "an observer"))
    return sentences


# Membership changes the role makes so far; the others are refused by name before anything changes.
MEMBERSHIP_ACTIONS = ("add", "promote", "demote", "remove", "move")


def membership_plan(gate_state, servers, hostvars, allow_even=False):
    """The membership change a converge makes before anything else (membership.plan), from the gate's
    zookeeper_info result and the inventory (validate.zookeeper_servers, hosts marked zookeeper_leave included:
    those are not wanted, and reconfig removes them). A server serves when the gate found it serving; the ensemble
    is dynamic when every member in the running configuration that the inventory knows ran with reconfigEnabled at
    preflight (zookeeper_host_info's config values). Adds the hosts that join or leave and their client addresses,
    the client addresses of the members before the change (those a step asks), and the hosts that leave."""
    from ansible_collections.zkforge.zookeeper.plugins.module_utils.membership import changes, parse_config, plan
    from ansible_collections.zkforge.zookeeper.plugins.module_utils.parsers import split_server
    from ansible_collections.zkforge.zookeeper.plugins.module_utils.validate import join_host_port

    ensemble = (gate_state or {}).get("ensemble") or {}
    running = ensemble.get("membership")
    if running and isinstance(running.get("members"), dict):  # as running_membership returns it
        running = dict(running, members=[running["members"][i] for i in sorted(running["members"])])
    staying = [s for s in servers if not s.get("leave")]
    leaving = [s for s in servers if s.get("leave")]
    by_id = dict((s["id"], s) for s in leaving)
    by_id.update((s["id"], s) for s in staying)
    by_client = dict((s["client"], s) for s in servers)
    alive = set()
    for info in (gate_state or {}).get("servers") or []:
        server = by_client.get(info.get("server"))
        if info.get("serving") and server:
            alive.add(server["id"])
    dynamic = False
    moved = []
    if running:
        # Ids the inventory puts in another place (a dead server's id on a new host): the new host never ran.
        moved = changes(dict((m["id"], m) for m in running["members"]),
                        parse_config("\n".join(s["dynamic_spec"] for s in staying))["members"])["moved"]
        flags = []
        for member in running["members"]:
            server = by_id.get(member["id"])
            if server and server["host"] in hostvars and member["id"] not in moved:
                config = ((hostvars[server["host"]].get("_zookeeper_host") or {}).get("config") or {})
                flags.append((config.get("values") or {}).get("reconfigEnabled") == "true")
        dynamic = bool(flags) and all(flags)
    result = plan(running, [s["dynamic_spec"] for s in staying], alive, dynamic, allow_even)
    result["dynamic"] = dynamic
    unsupported = sorted(set("%s (server %s)" % (step["action"], step["id"]) for step in result["steps"]
                             if step["action"] not in MEMBERSHIP_ACTIONS))
    if unsupported:
        result["problems"].append("the role does not make these membership changes: %s" % ", ".join(unsupported))
    unknown = sorted(step["id"] for step in result["steps"] if step["action"] == "remove" and step["id"] not in by_id)
    if unknown:
        members = dict((m["id"], m) for m in running["members"])
        result["problems"].append(
            "server %s runs in the ensemble, but no host of the group has its id: a host missing from the inventory is "
            "not removed. To remove a server, keep its host in the group with zookeeper_leave: true (reconfig removes "
            "it, then it is stopped)" % ", ".join("%d (%s)" % (i, members[i]["address"]) for i in unknown))
    if result["problems"]:
        result["steps"] = []
    voters = dict((m["id"], m["role"]) for m in running["members"]) if running else {}
    result["running_clients"] = [by_id[i]["client"] for i in sorted(voters) if i in by_id]
    result["running_voters"] = len([i for i in voters if voters[i] == "participant"])
    for step in result["steps"]:
        server = by_id.get(step["id"])
        step["host"] = server["host"] if server else None
        step["client"] = server["client"] if server else None
        # The members once this step is committed: who the wait after it asks, and how many voters it expects.
        if step.get("leaving"):
            voters.pop(step["id"], None)
        else:
            voters[step["id"]] = server["role"] if server else "participant"
        step["clients_after"] = [by_id[i]["client"] for i in sorted(voters) if i in by_id]
        step["voters_after"] = len([i for i in voters if voters[i] == "participant"])
        step["observers_after"] = len([i for i in voters if voters[i] == "observer"])
    # A replaced server: its new host does not serve before its step (the gate names it for repair), and its old
    # place must not serve at all (two servers with one id). Asked at the client port the inventory gives it.
    members = dict((m["id"], m) for m in running["members"]) if running else {}
    result["moving_clients"] = [step["client"] for step in result["steps"] if step["action"] == "move"]
    result["moved_from"] = []
    for step in result["steps"]:
        if step["action"] == "move":
            result["moved_from"].append(join_host_port(members[step["id"]]["address"], split_server(step["client"])[1]))
    # Hosts a step removes: until then they are members, and the firewall keeps letting them in.
    result["removing_hosts"] = [step["host"] for step in result["steps"]
                                if step["action"] == "remove" and step.get("host")]
    return result
