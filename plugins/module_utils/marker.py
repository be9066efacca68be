# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""The pending-restart marker: the one reader of its format. The role's handler writes it (first line: the
release the roll switches the server to; empty means the release it runs now); the roll removes it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno


def read_marker(path):
    """(True, release) when the marker exists (release '' for the release running now), (False, None) when not."""
    try:
        with open(path) as marker:
            return True, marker.readline().strip()
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return False, None
        raise
