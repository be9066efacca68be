# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""Sending one reconfig and knowing whether it was committed, for every module that changes the membership
(zookeeper_reconfig, and zookeeper_restart when it hands leadership over). The reconfig goes through the first
server that answers; when the server hangs up before answering (it does when the leader leaves the voting
configuration: servers drop their client connections while leadership moves), the servers are asked whether the
change is in place before the change is called failed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.zkforge.zookeeper.plugins.module_utils.client import ZooKeeperError
from ansible_collections.zkforge.zookeeper.plugins.module_utils.membership import (
    MembershipError,
    member_spec,
    parse_config,
)
from ansible_collections.zkforge.zookeeper.plugins.module_utils.parsers import split_server
from ansible_collections.zkforge.zookeeper.plugins.module_utils.session import Session, SessionError


class ReconfigError(ZooKeeperError):
    """No server answered, or the change was refused or not found committed. `refused`: ZooKeeper answered with
    an error (reconfig disabled, not authorised, a stale version...), so nothing changed."""

    def __init__(self, message, refused=False):
        super(ReconfigError, self).__init__(message)
        self.refused = refused


def still_to_do(config, joining, leaving):
    """(members of `joining` whose spec the configuration does not hold yet, ids of `leaving` still in it)."""
    members = config["members"]
    join = [m for m in joining if m["id"] not in members or member_spec(members[m["id"]]) != member_spec(m)]
    leave = [sid for sid in leaving if sid in members]
    return join, leave


def credential(user, password, sasl=False):
    """How a session logs in as the super user: SASL DIGEST-MD5 where the servers enforce client SASL (every
    request then needs it, reading too), else the digest scheme."""
    return dict(scheme="sasl" if sasl else "digest", user=user, password=password)


def _session(host, port, timeout, tls, login):
    session = Session(host, port, timeout, tls=tls)
    if login:
        try:
            session.login(login)
        except ZooKeeperError:
            session.close()
            raise
    return session


def open_first(servers, timeout, tls, login=None):
    """(server, Session) of the first server of `servers` that answers, logged in with `login` (a credential())
    when given. A login the server refuses is not tried elsewhere: the password is wrong everywhere."""
    failures = []
    for server in servers:
        host, port = split_server(server)
        try:
            return "%s:%s" % (host, port), _session(host, port, timeout, tls, login)
        except SessionError as exc:
            if exc.code == -115:
                raise ReconfigError(str(exc), refused=True)
            failures.append(str(exc))
        except ZooKeeperError as exc:
            failures.append(str(exc))
    raise ReconfigError("No server answered: %s" % "; ".join(failures))


def read_config(servers, timeout, tls, login=None):
    """(server asked, configuration) from the first server that answers."""
    server, session = open_first(servers, timeout, tls, login)
    with session:
        try:
            return server, parse_config(session.get_config())
        except (ZooKeeperError, MembershipError) as exc:
            raise ReconfigError("%s: cannot read the configuration: %s" % (server, exc))


def committed_after_all(servers, timeout, tls, joining, leaving, deadline, login=None):
    """After the connection dropped during a reconfig: the configuration once some server shows the change, or
    None when none did before the deadline."""
    while True:
        for server in servers:
            host, port = split_server(server)
            try:
                with _session(host, port, timeout, tls, login) as session:
                    config = parse_config(session.get_config())
            except (ZooKeeperError, MembershipError):
                continue
            if still_to_do(config, joining, leaving) == ([], []):
                return config
        if time.time() > deadline:
            return None
        time.sleep(0.05)


def send(session, servers, timeout, tls, login, joining, leaving, from_config=-1, logged_in=False):
    """One reconfig on an open `session` as `login` (a credential()), joining members and leaving ids; the
    session logs in first unless `logged_in`. Returns (configuration committed, why the answer was lost or None).
    Raises ReconfigError when it was refused, or lost and found nowhere committed within three connection
    timeouts (the servers asked again with the same login)."""
    try:
        if not logged_in:
            session.login(login)
        return parse_config(session.reconfig(joining=[member_spec(m) for m in joining], leaving=leaving,
                                             from_config=from_config)), None
    except (ZooKeeperError, MembershipError) as exc:
        failure = exc
    if isinstance(failure, SessionError) and failure.code is None:  # hung up on, not refused: look before failing
        after = committed_after_all(servers, timeout, tls, joining, leaving, time.time() + 3 * timeout,
                                    login if login["scheme"] == "sasl" else None)
        if after is not None:
            return after, str(failure)
    raise ReconfigError("reconfig (joining %s, leaving %s) failed: %s"
                        % ([member_spec(m) for m in joining] or "none", leaving or "none", failure),
                        refused=getattr(failure, "code", None) is not None)
