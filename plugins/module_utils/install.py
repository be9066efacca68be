# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""Decisions about the releases unpacked in the install root. Pure functions, unit-tested directly."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import re

from ansible_collections.zkforge.zookeeper.plugins.module_utils.parsers import static_settings_differ
from ansible_collections.zkforge.zookeeper.plugins.module_utils.validate import ACCOUNT_COMMENT


def version_key(version):
    """A sort key that orders release versions the way people read them: 3.10.0 after 3.9.3, 3.9.3 after
    3.9.3-rc1 is not assumed (text parts sort after numbers at the same place)."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[.\-+]", str(version))]


def releases_to_remove(releases, wanted, current, keep):
    """The names of the unpacked releases to delete: every release other than the one wanted and the one
    `current` points at is a candidate, and the `keep` newest candidates stay so that a rollback is a link
    switch. `releases`: zookeeper_host_info's install.releases ([{name, version, complete}])."""
    others = [r for r in releases if r["name"] not in (wanted, current)]
    others.sort(key=lambda r: version_key(r["version"]), reverse=True)
    return [r["name"] for r in others[int(keep):]]


def parse_sha512(text):
    """The sha512 a checksum file names, lower case, or "" when it names none. Apache publishes two formats:
    sha512sum's ("<hex>  name") and gpg --print-md's ("name: HEX HEX ..." over several lines)."""
    text = text or ""
    found = re.search(r"\b[0-9a-fA-F]{128}\b", text)
    if found:
        return found.group(0).lower()
    joined = re.sub(r"\s", "", text.split(":", 1)[-1])
    return joined.lower() if re.match(r"^[0-9a-fA-F]{128}$", joined) else ""


ACCOUNT_SHELL = "/usr/sbin/nologin"


def differs(state, owner, group, mode, content=None, config=None):
    """Whether a file or directory on the host differs from what the role would make of it: missing, another
    kind, owner, group or mode, or (a file, when `content` is given) other content. `state`: one entry of
    zookeeper_host_info's paths or files. Deciding this from one read lets the role skip a module run per file.

    config: zookeeper_host_info's `config` (zoo.cfg read as properties). Once the host's zoo.cfg has
    dynamicConfigFile, ZooKeeper owns its membership lines and rewrites the file in an order of its own, so only
    the settings are compared (parsers.static_settings_differ)."""
    if not state or not state.get("exists") or state.get("error"):
        return True
    if state.get("is_dir") != (content is None) or (state.get("owner"), state.get("group"), state.get("mode")) != (
            owner, group, mode):
        return True
    if content is None:
        return False
    fingerprint = (config or {}).get("fingerprint") or {}
    if "dynamicConfigFile" in fingerprint:
        return static_settings_differ(fingerprint, content if isinstance(content, str) else content.decode("utf-8"))
    if not isinstance(content, bytes):
        content = str(content).encode("utf-8")
    return state.get("checksum") != hashlib.sha1(content).hexdigest()


def to_write(entries, host):
    """The entries of zookeeper_files' `directories` or `files` that differ from what zookeeper_host_info read
    on the host (`host`, its result), so that a converge that changes nothing skips the module run. A directory
    is an entry without `content`; an entry with `settings_only` (zoo.cfg) is compared by its settings once
    ZooKeeper owns its membership (see differs); that key is dropped from what is returned. A path asked for
    twice (the transaction log in the data directory) is kept once, as first asked."""
    wanted, seen = [], set()
    for entry in entries:
        if entry["path"] in seen:
            continue
        seen.add(entry["path"])
        entry = dict(entry)
        content = entry.get("content")
        settings_only = entry.pop("settings_only", False)
        state = (host.get("paths") if content is None else host.get("files")) or {}
        if differs(state.get(entry["path"]), entry["owner"], entry["group"], entry["mode"], content,
                   host.get("config") if settings_only else None):
            wanted.append(entry)
    return wanted


def account_differs(host):
    """Whether the service account or group is missing or not as the role makes them (its group as primary
    group, no login shell, the role's comment). `host`: zookeeper_host_info's result."""
    account, group_state = host.get("account") or {}, host.get("group") or {}
    if not account.get("exists") or not group_state.get("exists"):
        return True
    return (account.get("gid"), account.get("shell"), account.get("comment")) != (
        group_state.get("gid"), ACCOUNT_SHELL, ACCOUNT_COMMENT)
