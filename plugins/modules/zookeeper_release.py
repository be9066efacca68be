#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: zookeeper_release
short_description: Fetch a ZooKeeper release, verify its sha512 and unpack it into its own directory
version_added: 0.1.0
description:
  - Installs one release the way the zookeeper role does, in one module run - the tarball downloaded from
    O(url) (or taken from O(src), a tarball already on the host), its sha512 checked against O(sha512) (or against
    the one published beside it, O(url) with C(.sha512)), unpacked into O(dest) without its top directory and
    without the archive's owners, then a marker written last into O(dest), naming the sha512.
  - A release directory counts as installed only once its marker exists, so an interrupted download or unpack is
    simply redone. With the marker there, nothing is done.
  - A tarball whose sha512 does not match is deleted and nothing is unpacked; O(dest) is made only after the
    checksum matched.
  - With O(link), a symbolic link is pointed at the release once it is installed (or found installed), replaced
    atomically; without it no link is touched. It starts nothing.
seealso:
  - module: ansible.builtin.get_url
    description: Downloads with checksum verification.
author: zkforge maintainers (@zkforge)
attributes:
  check_mode:
    description: Whether the module can run in check mode, and what it does then.
    support: full
    details: It reports whether it would install the release, without downloading anything.
  diff_mode:
    description: Whether the module reports a diff of what it changed.
    support: none
    details: It reports the directory it unpacked into instead.
options:
  url:
    description: The release tarball's URL. Exactly one of O(url) and O(src).
    type: str
  src:
    description: A release tarball already on the host (copied from the controller). It is removed once unpacked,
      or when its sha512 does not match.
    type: path
  sha512:
    description:
      - The tarball's expected sha512 (128 hex digits), or a checksum file's text holding it (C(sha512sum)'s or
        C(gpg --print-md)'s format).
      - Empty with O(url), the file O(url) with C(.sha512) is read for it.
    type: str
    default: ""
  dest:
    description: The release directory to unpack into (its parent must exist).
    type: path
    required: true
  marker:
    description: The marker file written last; its name relative to O(dest).
    type: str
    default: .zkforge-release
  download_dir:
    description: Where the tarball is downloaded to (made, owned by root, mode 0755, when missing). It is removed
      from there once unpacked.
    type: path
    required: true
  link:
    description:
      - A symbolic link (the role's C(current)) to point at O(dest), by its path relative to the link's directory,
        once the release is complete. A link pointing elsewhere is replaced in one rename; anything at O(link)
        that is not a symbolic link is refused. The link is owned by root.
      - Omit it for a server that is running, whose JVM still loads classes through the link.
    type: path
  timeout:
    description: Seconds to wait for the server at O(url) to answer each request.
    type: int
    default: 60
  validate_certs:
    description: Whether the HTTPS server's certificate must be valid.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: ZooKeeper 3.9.3 from a mirror, checked against the .sha512 published beside it
  zkforge.zookeeper.zookeeper_release:
    url: https://mirror.example.org/zookeeper/zookeeper-3.9.3/apache-zookeeper-3.9.3-bin.tar.gz
    dest: /opt/zookeeper/apache-zookeeper-3.9.3-bin
    download_dir: /opt/zookeeper/.downloads
"""

RETURN = r"""
sha512:
  description: The tarball's sha512 (as expected and as found; it was not unpacked otherwise).
  returned: when the release was installed now, or found installed with its marker
  type: str
  sample: 0f5ff1b4... (128 hex digits)
installed:
  description: Whether the release was installed by this run (in check mode, would be).
  returned: always
  type: bool
  sample: true
dest:
  description: The release directory.
  returned: always
  type: str
  sample: /opt/zookeeper/apache-zookeeper-3.9.3-bin
linked:
  description: Whether O(link) was pointed at the release by this run (in check mode, would be).
  returned: always
  type: bool
  sample: true
"""

import hashlib
import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.urls import fetch_url
from ansible_collections.zkforge.zookeeper.plugins.module_utils.install import parse_sha512

_CHUNK = 1 << 16


class _Refused(Exception):
    pass


def _open(module, url):
    response, info = fetch_url(module, url, timeout=module.params["timeout"])
    if info.get("status") != 200 or response is None:
        raise _Refused("%s: HTTP %s %s" % (url, info.get("status"), info.get("msg", "")))
    return response


def _expected(module):
    given = module.params["sha512"]
    if given:
        text, origin = given, "sha512"
    elif module.params["url"]:
        origin = module.params["url"] + ".sha512"
        try:
            text = to_native(_open(module, origin).read(65536), errors="surrogate_or_replace")
        except _Refused as exc:
            raise _Refused("no sha512 for %s could be read (%s); give the release's published sha512 "
                           "(zookeeper_sha512 in the zookeeper role)" % (module.params["url"], exc))
    else:
        raise _Refused("sha512 is required with src")
    expected = parse_sha512(text)
    if not expected:
        raise _Refused("no sha512 could be read from %s (%r...); give the release's published sha512 "
                       "(zookeeper_sha512 in the zookeeper role)" % (origin, text[:80]))
    return expected


def _download(module, directory):
    """The tarball at url, into a new file of directory; its path and sha512."""
    response = _open(module, module.params["url"])
    # What an interrupted earlier run left half-downloaded here is of no use to anyone.
    for name in os.listdir(directory):
        if name.startswith(".download.") and name.endswith(".tar.gz"):
            os.unlink(os.path.join(directory, name))
    digest = hashlib.sha512()
    fd, path = tempfile.mkstemp(prefix=".download.", suffix=".tar.gz", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                digest.update(chunk)
                handle.write(chunk)
    except Exception:
        os.unlink(path)
        raise
    return path, digest.hexdigest()


def _sha512(path):
    digest = hashlib.sha512()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _install(module, dest, marker):
    expected = _expected(module)
    if module.params["src"]:
        tarball = module.params["src"]
        if not os.path.isfile(tarball):
            raise _Refused("%s does not exist on this host" % tarball)
        found = _sha512(tarball)
    else:
        directory = module.params["download_dir"]
        if not os.path.isdir(directory):
            os.makedirs(directory)
            os.chmod(directory, 0o755)
        tarball, found = _download(module, directory)
    try:
        if found != expected:
            raise _Refused("%s has sha512 %s, expected %s: checksum mismatch, nothing was installed (the tarball "
                           "was deleted)" % (module.params["url"] or module.params["src"], found, expected))
        if not os.path.isdir(dest):
            os.mkdir(dest)
            os.chmod(dest, 0o755)
        # tar itself, in one pass; the directory is known to be unfinished (its marker is missing).
        rc, out, err = module.run_command(["tar", "-xzf", tarball, "-C", dest, "--strip-components=1",
                                           "--no-same-owner"])
        if rc != 0:
            raise _Refused("unpacking %s into %s failed (tar exited %d): %s" % (tarball, dest, rc, err.strip()))
        with open(marker + ".tmp", "w") as handle:
            handle.write("%s  %s\n" % (expected, os.path.basename(module.params["url"] or tarball)))
        os.chmod(marker + ".tmp", 0o644)
        os.rename(marker + ".tmp", marker)
    finally:
        if os.path.exists(tarball):
            os.unlink(tarball)
    return expected


def _link(module, link, dest):
    """Point `link` at dest, relative to the link's directory (like the role's `current`); True when it changed."""
    target = os.path.relpath(dest, os.path.dirname(link))
    if os.path.islink(link):
        if os.readlink(link) == target:
            return False
    elif os.path.lexists(link):
        raise _Refused("%s exists and is not a symbolic link; move it away to let the release be linked" % link)
    if not module.check_mode:
        tmp = "%s.zkforge-tmp" % link
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(target, tmp)
        os.rename(tmp, link)
    return True


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type="str"),
            src=dict(type="path"),
            sha512=dict(type="str", default=""),
            dest=dict(type="path", required=True),
            marker=dict(type="str", default=".zkforge-release"),
            download_dir=dict(type="path", required=True),
            link=dict(type="path"),
            timeout=dict(type="int", default=60),
            validate_certs=dict(type="bool", default=True),
        ),
        required_one_of=[("url", "src")],
        mutually_exclusive=[("url", "src")],
        supports_check_mode=True,
    )
    dest = module.params["dest"].rstrip("/")
    marker = os.path.join(dest, module.params["marker"])
    result = dict(dest=dest, installed=False, linked=False, changed=False)
    try:
        if os.path.isfile(marker):
            with open(marker) as handle:
                result["sha512"] = parse_sha512(handle.read())
        else:
            result.update(installed=True)
            if not module.check_mode:
                result["sha512"] = _install(module, dest, marker)
        if module.params["link"]:
            result["linked"] = _link(module, module.params["link"].rstrip("/"), dest)
    except _Refused as exc:
        module.fail_json(msg=str(exc), dest=dest)
    except (IOError, OSError, shutil.Error) as exc:
        module.fail_json(msg="installing into %s failed: %s" % (dest, to_native(exc)), dest=dest)
    result["changed"] = result["installed"] or result["linked"]
    module.exit_json(**result)


if __name__ == "__main__":
    main()
