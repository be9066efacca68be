# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""Security settings of a running ensemble and the rolls that change them without downtime.

Each security setting is a chain of zoo.cfg states in which every two neighbours interoperate: servers in state k
and k+1 form one quorum. A running ensemble moves along a chain one state per gated roll, never two at once, so
at every moment of a roll all its servers are in two neighbouring states. The chains follow ZooKeeper's
documented rolling procedures:

- quorum TLS: plaintext, then port unification (accepts both, speaks plaintext), then sslQuorum with port
  unification (speaks TLS, accepts both), then TLS only;
- quorum SASL: off, then SASL on but required by nobody, then required by learners, then by servers too;
- client listeners: plaintext only, both ports, TLS only (clients move between the second and third roll);
- client SASL: no SASL provider, the provider without enforcement, enforcement.

Chains are independent layers (TLS under SASL, listeners beside the quorum), so one roll may advance several
chains by one state each. Pure functions; the role and its tests call them through filters."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib

# Each chain: its zoo.cfg keys, then its states from "off" to "on" as the values of those keys (None: absent).
CHAINS = {
    "quorum_tls": {
        "keys": ("portUnification", "sslQuorum"),
        "states": [("false", "false"), ("true", "false"), ("true", "true"), ("false", "true")],
    },
    "quorum_sasl": {
        "keys": ("quorum.auth.enableSasl", "quorum.auth.learnerRequireSasl", "quorum.auth.serverRequireSasl"),
        "states": [("false", "false", "false"), ("true", "false", "false"), ("true", "true", "false"),
                   ("true", "true", "true")],
    },
    "client_sasl": {
        "keys": ("authProvider.sasl", "enforce.auth.enabled"),
        "states": [(None, "false"), ("org.apache.zookeeper.server.auth.SASLAuthenticationProvider", "false"),
                   ("org.apache.zookeeper.server.auth.SASLAuthenticationProvider", "true")],
    },
}
# The client listeners are told by which ports are present, not by flags.
LISTENERS = ("plaintext", "both", "tls")


def chain_position(chain, config):
    """Where a server's zoo.cfg (a dict of its keys) stands on a chain, or None when its values match no state
    (edited by hand). Absent keys read as ZooKeeper's defaults (false, or no provider)."""
    spec = CHAINS[chain]
    values = []
    for key, default in zip(spec["keys"], spec["states"][0]):
        value = config.get(key)
        if value is None:
            values.append(default)
            continue
        text = str(value).strip()
        values.append(text.lower() if text.lower() in ("true", "false") else text)
    values = tuple(values)
    return spec["states"].index(values) if values in spec["states"] else None


def listener_position(config):
    """plaintext (0), both (1) or tls (2) from clientPort and secureClientPort; None when neither is set.
    Under dynamic reconfiguration ZooKeeper moves clientPort out of zoo.cfg into the server's own spec in its
    dynamic file (when a reconfig named its client address): a zoo.cfg with dynamicConfigFile and no clientPort
    still serves the plaintext port."""
    plain = bool(config.get("clientPort")) or ("dynamicConfigFile" in config and "clientPort" not in config)
    secure = bool(config.get("secureClientPort"))
    if plain and secure:
        return 1
    if plain or secure:
        return 0 if plain else 2
    return None


def _positions(configs):
    """Each dimension's position per server: {dimension: {host: position}}."""
    result = {name: {} for name in list(CHAINS) + ["listeners"]}
    for host, config in configs.items():
        for name in CHAINS:
            result[name][host] = chain_position(name, config)
        result["listeners"][host] = listener_position(config)
    return result


def security_steps(configs, target, pending=False):
    """The rolls that take a running ensemble from what its servers' zoo.cfg say (configs: {host: {key: value}})
    to target ({quorum_tls, quorum_sasl, client_sasl: position on the chain; listeners: plaintext|both|tls}; the
    dimensions the target names, only).

    Returns {"steps": [state, ...], "problems": [...]}: each state a dict {dimension: position}, one roll each, in
    order; no steps when every zoo.cfg already says the target (servers still waiting for their restart are the
    ordinary roll's business). Problems, and no steps, when a server's settings match no state of a chain or
    servers stand more than one state apart: not something this role leaves behind.

    pending: some server has not been restarted since its zoo.cfg was written (a run stopped during its roll), so
    it may still run the state before. The first step then stays where the files are, and its roll brings those
    servers along before the next state is written: a server never meets one two states away."""
    positions = dict((name, by_host) for name, by_host in _positions(configs).items() if name in target)
    problems, here, lagging = [], {}, False
    for name, by_host in sorted(positions.items()):
        goal = target_position(name, target)
        unknown = sorted(h for h, p in by_host.items() if p is None)
        if unknown:
            problems.append("%s: the zoo.cfg of %s matches no state of %s; put back what the role wrote, or"
                            " converge those servers by hand first" % (name, ", ".join(unknown), name))
            continue
        seen = sorted(set(by_host.values())) or [goal]
        if seen[-1] - seen[0] > 1:
            problems.append("%s: servers stand %d states apart (%s); a roll moves them one state at a time, so this"
                            " was changed by hand" % (name, seen[-1] - seen[0], ", ".join(
                                "%s=%s" % (h, p) for h, p in sorted(by_host.items()))))
            continue
        # Two neighbouring states: a run that stopped while writing zoo.cfg (or ran with --limit). The one nearer
        # the goal is where that run was going; the others' files catch up first.
        here[name] = min(seen, key=lambda p: (abs(goal - p), -p))
        lagging = lagging or len(seen) > 1
    if problems:
        return {"steps": [], "problems": problems}
    highest = max(positions.get("listeners", {}).values() or [0])
    goal = {name: target_position(name, target) for name in here}
    state, steps = dict(here), [dict(here)] if lagging or pending else []
    while state != goal:
        state = {n: p + (goal[n] > p) - (goal[n] < p) for n, p in state.items()}
        steps.append(dict(state))
    return {"steps": steps, "problems": [], "listeners_seen": highest}


def security_plan(hosts, hostvars, target):
    """What the role writes into zoo.cfg now and which rolls follow, for the hosts of the play.

    Reads each host's zoo.cfg values (_zookeeper_host.config, from preflight), whether its server was running
    (_zookeeper_was_active) and whether it waits for a restart since its zoo.cfg was written
    (_zookeeper_was_pending). With no server running (a first bootstrap, or an ensemble stopped as a whole) the
    target is written at once. Otherwise the first step is written now (the converge's own roll restarts into
    it) and the other steps follow, one roll each. Returns {now, later, problems}."""
    target = dict((name, int(value) if name != "listeners" else _listener_index(value))
                  for name, value in target.items())
    running = any(hostvars[h].get("_zookeeper_was_active") for h in hosts)
    configs = {}
    for host in hosts:
        config = (hostvars[host].get("_zookeeper_host") or {}).get("config") or {}
        if config.get("exists"):
            configs[host] = config.get("values") or {}
    if not running or not configs:
        return _plan(target, [], [])
    pending = any(hostvars[h].get("_zookeeper_was_pending") for h in hosts)
    result = security_steps(configs, target, pending)
    if result["problems"]:
        return _plan(target, [], result["problems"])
    steps = result["steps"] or [target]
    return _plan(steps[0], steps[1:], [], result["listeners_seen"])


def checks_over_tls(hosts, hostvars):
    """Whether health checks must use the TLS client port before this run changes anything: some server's zoo.cfg
    (read in preflight) has no plaintext client port."""
    for host in hosts:
        config = (hostvars[host].get("_zookeeper_host") or {}).get("config") or {}
        if config.get("exists") and listener_position(config.get("values") or {}) == 2:
            return True
    return False


def _plan(now, later, problems, listeners_seen=None):
    """The plan, with what each chain needs on the hosts while this run rolls through it (in_use): a chain is in
    use when the state written now or any later one has it on, even if the inventory turns it off. Turning SASL
    off keeps the JAAS file and the JVM's pointer to it until the servers are past the last state that uses it."""
    in_use = dict((name, any(int(state.get(name, 0)) > 0 for state in [now] + later))
                  for name in ("quorum_tls", "quorum_sasl", "client_sasl"))
    # Health checks during each roll (now, then each later one) use the TLS client port when some server lacks the
    # plaintext one before or after it; every server has the TLS port then (neighbouring listener states).
    checks_tls, before = [], listeners_seen
    for state in [now] + later:
        position = _listener_index(state.get("listeners", "plaintext"))
        checks_tls.append(max(position, position if before is None else before) == 2)
        before = position
    return {"now": now, "later": later, "problems": problems, "in_use": in_use, "checks_tls": checks_tls}


def _listener_index(value):
    return value if isinstance(value, int) else LISTENERS.index(value)


def target_position(name, target):
    if name == "listeners":
        return _listener_index(target.get("listeners", "plaintext"))
    return int(target.get(name, 0))


def state_settings(state):
    """The zoo.cfg keys and values of one state ({dimension: position}); listeners give clientPort/secureClientPort
    presence as booleans under 'clientPort' and 'secureClientPort'."""
    settings = {}
    for name, position in state.items():
        if name == "listeners":
            settings["clientPort"] = position in (0, 1)
            settings["secureClientPort"] = position in (1, 2)
            continue
        for key, value in zip(CHAINS[name]["keys"], CHAINS[name]["states"][position]):
            settings[key] = value
    return settings


def digest(user, password):
    """ZooKeeper's digest of a user and password (DigestAuthenticationProvider): user:base64(sha1(user:password)),
    the form superDigest and digest ACLs take."""
    text = "%s:%s" % (user, password)
    return "%s:%s" % (user, base64.b64encode(hashlib.sha1(text.encode("utf-8")).digest()).decode("ascii"))


def fips_mode_must_be_off(version, sasl_digest):
    """Whether the JVM needs -Dzookeeper.fips-mode=false: DIGEST-MD5 SASL (quorum or clients) on 3.9 or later.
    3.9 runs in FIPS mode by default, and its releases carrying ZOOKEEPER-5043 refuse DIGEST-MD5 there instead of
    falling back to it; the property is harmless on the 3.9 releases before that change, so it is set on all."""
    if not sasl_digest:
        return False
    parts = tuple(int(x) for x in str(version).split(".")[:3])
    return parts >= (3, 9, 0)


# Characters a password may not hold: it is written between double quotes in the JAAS file, one per line.
_JAAS_UNSAFE = ('"', "\\", "\n", "\r", ";")


def secret_shape(value):
    """What validation may know of a secret without seeing it: its type, length, whether it fits between the JAAS
    file's double quotes on one line, and a fingerprint (a truncated SHA-256) to tell whether two hosts hold the
    same one. Never the value itself: this is what preflight's settings carry instead of passwords."""
    if value is None or not isinstance(value, str):
        return {"type": type(value).__name__, "length": 0, "jaas_safe": False, "fingerprint": ""}
    return {
        "type": "str",
        "length": len(value),
        "jaas_safe": bool(value) and not any(c in value for c in _JAAS_UNSAFE) and value.isprintable(),
        "fingerprint": hashlib.sha256(value.encode("utf-8")).hexdigest()[:16] if value else "",
    }
