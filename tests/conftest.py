"""Shared pytest setup: the repository root and the collection importable as ansible_collections.zkforge.zookeeper."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# collections/ansible_collections/zkforge/zookeeper is a symlink to the repository root.
sys.path.insert(0, str(ROOT / "collections"))
os.environ.setdefault("ZKFORGE_CACHE", str(Path.home() / ".cache/zkforge"))
