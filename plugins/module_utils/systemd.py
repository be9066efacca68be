# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""Watching a systemd unit while waiting for the server it runs: a JVM that exits, or a unit that systemd keeps
restarting, fails the wait at once instead of after its timeout. unit_failure() is pure; the rest asks systemctl
and journalctl through AnsibleModule.run_command."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

PROPERTIES = ("ActiveState", "SubState", "Result", "NRestarts", "MainPID", "ExecMainCode", "ExecMainStatus")
# ExecMainCode is a CLD_* code from waitid(2).
_EXIT_KINDS = {"1": "exited", "2": "was killed", "3": "dumped core"}


def unit_state(module, service):
    """The unit's state as a dict of PROPERTIES (strings), or None when systemctl cannot tell."""
    rc, out, dummy = module.run_command(["systemctl", "show", service + ".service",
                                         "--property=" + ",".join(PROPERTIES)])
    if rc != 0:
        return None
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def unit_failure(before, now):
    """Why the unit is no longer running the process started before `before` was read, or None while it runs.
    `before` is the state read right after the start; a restart by systemd shows as a higher NRestarts.
    A unit that was already waiting to be restarted by systemd when `before` was read (a crash loop that the start
    found and did not interrupt) is owed that one restart: only its exits after it count."""
    if not now:
        return None
    before = before or {}
    active, sub = now.get("ActiveState"), now.get("SubState")
    owed = 1 if before.get("SubState") == "auto-restart" else 0
    restarts = int(now.get("NRestarts") or 0) - int(before.get("NRestarts") or 0) - owed
    if owed and restarts < 0:
        # Still waiting for the restart it was owed: nothing has run since the start, so nothing has failed.
        return None
    if active in ("active", "reloading") and restarts <= 0:
        return None
    if active == "activating" and sub != "auto-restart" and restarts <= 0:
        return None
    kind = _EXIT_KINDS.get(now.get("ExecMainCode"), "exited")
    what = "its process %s with status %s" % (kind, now.get("ExecMainStatus", "?"))
    if restarts > 0 or sub == "auto-restart":
        return "the unit is crash-looping: %s, systemd restarted it %s time%s since it was started (%s/%s, result %s)" \
            % (what, max(restarts, 0), "" if restarts == 1 else "s", active, sub, now.get("Result"))
    return "the unit is %s/%s: %s (result %s)" % (active, sub, what, now.get("Result"))


def journal_tail(module, service, lines=15):
    rc, out, err = module.run_command(["journalctl", "--unit", service + ".service", "--no-pager", "--output",
                                       "cat", "--lines", str(lines)])
    text = (out if rc == 0 else err).strip()
    return text.splitlines()[-lines:]


class UnitWatch(object):
    """Call right after starting a unit; check() then returns why it stopped running, or None."""

    def __init__(self, module, service):
        self.module = module
        self.service = service
        self.before = unit_state(module, service)
        self.failure = None

    def check(self):
        self.failure = unit_failure(self.before, unit_state(self.module, self.service))
        return self.failure

    def describe(self):
        journal = journal_tail(self.module, self.service)
        return "%s %s. Last journal lines: %s" % (self.service, self.failure, " | ".join(journal) or "(none)")


def port_filter(ports):
    """ss(8)'s filter for the sockets bound to these local ports: listening, and the connections accepted there."""
    return "( %s )" % " or ".join("sport = :%d" % port for port in sorted(set(int(p) for p in ports)))


def reset_clients(module, ports):
    """Close the listening sockets of these local ports and reset (TCP RST) every connection accepted there, through
    ss -K and the kernel's SOCK_DESTROY, so that the clients of a server on its way out reconnect to another server
    at once, and none connects to it again while it exits. Returns how many connections were reset (listening
    sockets not counted), or why none could be (no ss, or a kernel without CONFIG_INET_DIAG_DESTROY)."""
    ss = module.get_bin_path("ss")
    if not ss or not ports:
        return "ss (iproute2) not found" if ports else "no client ports"
    rc, out, err = module.run_command([ss, "-K", "-a", "-H", "-t", "-n", port_filter(ports)])
    if rc != 0:
        return "ss -K failed (rc %s): %s" % (rc, (err or out).strip())
    return len([line for line in out.splitlines() if line.split() and line.split()[0] != "LISTEN"])
