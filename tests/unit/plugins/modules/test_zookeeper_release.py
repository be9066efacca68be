"""zookeeper_release run by ansible on this machine (local connection): a real tarball served by a real HTTP
server on loopback (with and without its .sha512 beside it), and one already on the host."""
import hashlib
import http.server
import io
import json
import os
import tarfile
import threading

import pytest

from conftest import run_module

NAME = "apache-zookeeper-9.9.9-bin"


def _tarball(path):
    with tarfile.open(path, "w:gz") as archive:
        for member, content in (("lib/zookeeper-9.9.9.jar", b"jar"), ("bin/zkServer.sh", b"#!/bin/sh\n")):
            info = tarfile.TarInfo("%s/%s" % (NAME, member))
            info.size, info.uid, info.uname = len(content), 4242, "builder"
            archive.addfile(info, io.BytesIO(content))
    return hashlib.sha512(path.read_bytes()).hexdigest()


@pytest.fixture
def mirror(tmp_path):
    """A directory served over HTTP on loopback: the tarball and its sha512sum-format .sha512."""
    served = tmp_path / "mirror"
    served.mkdir()
    sha512 = _tarball(served / (NAME + ".tar.gz"))
    (served / (NAME + ".tar.gz.sha512")).write_text("%s  %s.tar.gz\n" % (sha512, NAME))
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(served), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield served, "http://127.0.0.1:%d/%s.tar.gz" % (server.server_address[1], NAME), sha512
    server.shutdown()


def _release(tmp_path, check=False, **params):
    params.setdefault("dest", str(tmp_path / "root" / NAME))
    params.setdefault("download_dir", str(tmp_path / "root/.downloads"))
    (tmp_path / "root").mkdir(exist_ok=True)
    return run_module(tmp_path, "zookeeper_release", json.dumps(params), check=check)


def test_downloads_verifies_against_the_published_sha512_unpacks_and_marks(tmp_path, mirror):
    _, url, sha512 = mirror
    # What an interrupted earlier download left behind goes.
    (tmp_path / "root/.downloads").mkdir(parents=True)
    (tmp_path / "root/.downloads/.download.x1y2z3.tar.gz").write_bytes(b"partial")
    result = _release(tmp_path, url=url)
    assert (result["changed"], result["installed"], result["sha512"]) == (True, True, sha512), result
    dest = tmp_path / "root" / NAME
    assert (dest / "lib/zookeeper-9.9.9.jar").read_bytes() == b"jar"
    # The archive's owner (uid 4242) is not kept; the marker names the sha512; the download is gone.
    assert os.stat(dest / "bin/zkServer.sh").st_uid == os.getuid()
    assert (dest / ".zkforge-release").read_text().startswith(sha512 + "  ")
    assert os.listdir(tmp_path / "root/.downloads") == []
    again = _release(tmp_path, url=url)
    assert (again["changed"], again["installed"], again["sha512"]) == (False, False, sha512)


def test_a_mismatch_installs_nothing_and_keeps_no_tarball(tmp_path, mirror):
    _, url, _ = mirror
    result = _release(tmp_path, url=url, sha512="0" * 128)
    assert result.get("failed") and "checksum mismatch" in result["msg"], result
    assert not (tmp_path / "root" / NAME).exists()
    assert os.listdir(tmp_path / "root/.downloads") == []


def test_no_published_sha512_names_the_variable(tmp_path, mirror):
    served, url, _ = mirror
    (served / (NAME + ".tar.gz.sha512")).unlink()
    result = _release(tmp_path, url=url)
    assert result.get("failed") and "HTTP 404" in result["msg"] and "zookeeper_sha512" in result["msg"], result
    assert not (tmp_path / "root" / NAME).exists()


def test_a_tarball_on_the_host_in_gpg_format_and_check_mode(tmp_path):
    (tmp_path / "root").mkdir()
    src = tmp_path / "root" / (NAME + ".tar.gz")
    sha512 = _tarball(src).upper()
    gpg = "%s.tar.gz: %s\n" % (NAME, " ".join(sha512[i:i + 8] for i in range(0, 128, 8)))
    checked = _release(tmp_path, check=True, src=str(src), sha512=gpg)
    assert (checked["changed"], checked["installed"]) == (True, True) and src.exists()
    assert not (tmp_path / "root" / NAME).exists()
    result = _release(tmp_path, src=str(src), sha512=gpg)
    assert (result["changed"], result["sha512"]) == (True, sha512.lower()), result
    assert (tmp_path / "root" / NAME / "lib/zookeeper-9.9.9.jar").exists() and not src.exists()


def test_links_current_once_complete_and_refuses_what_is_not_a_link(tmp_path, mirror):
    _, url, _ = mirror
    link = tmp_path / "root/current"
    # A mismatch leaves the link where it was.
    (tmp_path / "root").mkdir()
    link.symlink_to("apache-zookeeper-9.9.8-bin")
    failed = _release(tmp_path, url=url, sha512="0" * 128, link=str(link))
    assert failed.get("failed") and os.readlink(link) == "apache-zookeeper-9.9.8-bin", failed
    result = _release(tmp_path, url=url, link=str(link))
    assert (result["installed"], result["linked"], result["changed"]) == (True, True, True), result
    assert os.readlink(link) == NAME and (link / "lib/zookeeper-9.9.9.jar").exists()
    assert sorted(os.listdir(tmp_path / "root")) == [".downloads", NAME, "current"]
    again = _release(tmp_path, url=url, link=str(link))
    assert (again["installed"], again["linked"], again["changed"]) == (False, False, False), again
    # Installed already, linked elsewhere: only the link changes (check mode reports it, changes nothing).
    link.unlink()
    link.symlink_to("apache-zookeeper-9.9.8-bin")
    checked = _release(tmp_path, check=True, url=url, link=str(link))
    assert (checked["installed"], checked["linked"]) == (False, True) and os.readlink(link) != NAME, checked
    relinked = _release(tmp_path, url=url, link=str(link))
    assert (relinked["linked"], relinked["changed"]) == (True, True) and os.readlink(link) == NAME
    link.unlink()
    link.mkdir()
    refused = _release(tmp_path, url=url, link=str(link))
    assert refused.get("failed") and "not a symbolic link" in refused["msg"] and link.is_dir(), refused
