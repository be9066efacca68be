"""Shared pytest setup: the repository root and the collection importable as ansible_collections.zkforge.zookeeper."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# collections/ansible_collections/zkforge/zookeeper is a symlink to the repository root.
sys.path.insert(0, str(ROOT / "collections"))
os.environ.setdefault("ZKFORGE_CACHE", str(Path.home() / ".cache/zkforge"))


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
