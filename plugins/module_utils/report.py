# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""The ensemble as one table an operator reads at a glance: pure formatting of what zookeeper_info returned."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

COLUMNS = ("server", "id", "role", "mode", "version", "zxid", "synced", "latency ms", "problems")


def _synced(info, summary):
    if info.get("mode") == "leader":
        followers = info.get("synced_followers")
        wanted = summary.get("voters_configured", 1) - 1
        text = "%s/%s followers" % ("?" if followers is None else followers, wanted)
        if info.get("synced_observers"):
            text += ", %s observers" % info["synced_observers"]
        return text
    state = info.get("peer_state")
    if state is None:
        return "-" if not info.get("serving") else "?"
    return "yes" if "broadcast" in str(state) else str(state).rsplit(" - ", maxsplit=1)[-1]


def status_rows(info_result, servers):
    """One row per server: zookeeper_info's result and the ensemble from the inventory (zookeeper_servers)."""
    summary = info_result.get("ensemble") or {}
    by_client = dict((s.get("client"), s) for s in servers)
    rows = []
    for info in info_result.get("servers") or []:
        member = by_client.get(info["server"], {})
        latency = info.get("latency") or {}
        problems = [p for p in summary.get("problems", []) if p.startswith(info["server"] + " ")
                    or ("leader " + info["server"]) in p]
        rows.append({
            "server": "%s (%s)" % (member["host"], info["server"]) if member else info["server"],
            "id": info.get("server_id") if info.get("server_id") is not None else member.get("id", "?"),
            "role": member.get("role", "?"),
            "mode": info.get("mode"),
            "version": info.get("version") or "?",
            "zxid": (info.get("zxid") or {}).get("hex", "?"),
            "synced": _synced(info, summary),
            "latency ms": "%s/%s/%s" % (latency.get("min", "?"), latency.get("avg", "?"), latency.get("max", "?"))
            if latency else "?",
            "problems": "; ".join(problems) or "-",
        })
    return rows


def status_table(info_result, servers):
    """The rows as aligned text lines, a header first and the ensemble's verdict last."""
    rows = status_rows(info_result, servers)
    widths = dict((c, max([len(c)] + [len(str(r[c])) for r in rows])) for c in COLUMNS)
    lines = ["  ".join(c.ljust(widths[c]) for c in COLUMNS).rstrip()]
    lines.append("  ".join("-" * widths[c] for c in COLUMNS))
    for row in rows:
        lines.append("  ".join(str(row[c]).ljust(widths[c]) for c in COLUMNS).rstrip())
    summary = info_result.get("ensemble") or {}
    if summary.get("healthy"):
        leader = (summary.get("leader") or {}).get("server", "?")
        verdict = "HEALTHY: leader %s, %s of %s voters serving" % (
            leader, summary.get("voters_serving"), summary.get("voters_configured"))
    else:
        verdict = "NOT HEALTHY: " + "; ".join(summary.get("problems") or ["no answer"])
    lines.append(verdict)
    return lines
