"""zookeeper_files run by ansible on this machine (local connection) against real directories and files: what it
makes, what it leaves alone, how it replaces a file, what check and diff mode show, what it refuses."""
import json
import os
import stat

from conftest import run_module


def _files(tmp_path, check=False, **params):
    return run_module(tmp_path, "zookeeper_files", json.dumps(params), check=check)


def _entry(path, mode, content=None, owner="root", group="root"):
    entry = {"path": str(path), "owner": owner, "group": group, "mode": mode}
    if content is not None:
        entry["content"] = content
    return entry


def _mode(path):
    return "%04o" % stat.S_IMODE(os.stat(path).st_mode)


def test_makes_directories_and_files_then_leaves_them_alone(tmp_path):
    conf, data = tmp_path / "etc/zookeeper", tmp_path / "var/lib/zookeeper"
    params = dict(directories=[_entry(conf, "1770"), _entry(data, "0750", owner="nobody", group="nogroup")],
                  files=[_entry(conf / "zoo.cfg", "0640", "tickTime=2000\n"),
                         _entry(data / "myid", "0640", "3", owner="nobody", group="nogroup")])
    first = _files(tmp_path, **params)
    assert first["changed"] is True, first
    assert first["changed_paths"] == first["created_paths"] == [str(conf), str(data), str(conf / "zoo.cfg"),
                                                                 str(data / "myid")]
    assert (_mode(conf), _mode(data), _mode(conf / "zoo.cfg"), _mode(data / "myid")) == ("1770", "0750", "0640", "0640")
    assert os.stat(data / "myid").st_uid == 65534 and os.stat(data).st_gid == 65534
    assert (conf / "zoo.cfg").read_text() == "tickTime=2000\n" and (data / "myid").read_text() == "3"
    second = _files(tmp_path, **params)
    assert (second["changed"], second["changed_paths"]) == (False, [])


def test_content_is_replaced_by_a_new_file_and_attributes_in_place(tmp_path):
    target = tmp_path / "zoo.cfg"
    target.write_text("tickTime=2000\n")
    os.chmod(target, 0o644)
    inode = os.stat(target).st_ino
    # Same content, other mode: the file stays (same inode), its mode changes.
    result = _files(tmp_path, files=[_entry(target, "0640", "tickTime=2000\n")])
    assert (result["changed_paths"], result["created_paths"]) == ([str(target)], [])
    assert (_mode(target), os.stat(target).st_ino) == ("0640", inode)
    # Other content: a new file renamed over it, with the mode asked for, and no temporary file left behind.
    result = _files(tmp_path, files=[_entry(target, "0600", "tickTime=3000\n")])
    assert result["changed"] is True
    assert os.stat(target).st_ino != inode and _mode(target) == "0600"
    assert target.read_text() == "tickTime=3000\n" and sorted(os.listdir(tmp_path)) == ["zoo.cfg"]


def test_check_mode_reports_and_changes_nothing(tmp_path):
    target = tmp_path / "zoo.cfg"
    target.write_text("old\n")
    result = _files(tmp_path, check=True, directories=[_entry(tmp_path / "new", "0750")],
                    files=[_entry(target, "0640", "new\n")])
    assert result["changed_paths"] == [str(tmp_path / "new"), str(target)]
    assert not (tmp_path / "new").exists() and target.read_text() == "old\n"


def test_diff_shows_content_unless_told_not_to(tmp_path):
    shown, hidden = tmp_path / "zookeeper.env", tmp_path / "zoo.cfg"
    result = _files(tmp_path, files=[_entry(shown, "0640", "JVMFLAGS=-Xmx1g\n"),
                                     dict(_entry(hidden, "0640", "DigestAuthenticationProvider.superDigest=s3cr3t\n"),
                                          diff=False)])
    assert result["diff"][0]["after"] == "JVMFLAGS=-Xmx1g\n"
    # (The task that writes it logs nothing at all: its module arguments hold the content too.)
    assert "s3cr3t" not in json.dumps(result["diff"]) and result["changed_paths"] == [str(shown), str(hidden)]


def test_refuses_what_it_would_have_to_replace_or_cannot_own(tmp_path):
    (tmp_path / "conf").write_text("a file where a directory is asked for\n")
    result = _files(tmp_path, directories=[_entry(tmp_path / "conf", "0750")])
    assert result.get("failed") and "is not a directory; it was left alone" in result["msg"]
    (tmp_path / "dir").mkdir()
    result = _files(tmp_path, files=[_entry(tmp_path / "dir", "0640", "x")])
    assert result.get("failed") and "is not a regular file" in result["msg"]
    result = _files(tmp_path, files=[_entry(tmp_path / "myid", "0640", "1", owner="no-such-user-zk")])
    assert result.get("failed") and "owner no-such-user-zk does not exist" in result["msg"]
    assert not (tmp_path / "myid").exists()
    result = _files(tmp_path, files=[_entry(tmp_path / "missing/myid", "0640", "1")])
    assert result.get("failed") and "does not exist" in result["msg"]
