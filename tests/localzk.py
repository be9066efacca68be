"""Real ZooKeeper servers on this machine's loopback, for tests of the collection's Python code against the real
thing without containers: the release tarballs the test mirror serves (Debian's builds repackaged into Apache's
layout by tests/fixtures/build_artifacts.py, NOT Apache's own tarballs) unpacked once, and each server a JVM of
the machine's Java 17 (QuorumPeerMain) with its own ports, data directory and configuration."""
import base64
import hashlib
import os
import socket
import subprocess
import tarfile
import time
from pathlib import Path

CACHE = Path(os.environ.get("ZKFORGE_CACHE", str(Path.home() / ".cache/zkforge")))


def tarball(version):
    path = CACHE / "mirror/zookeeper/zookeeper-{0}/apache-zookeeper-{0}-bin.tar.gz".format(version)
    if not path.exists():
        raise RuntimeError("%s is missing: run `make bootstrap` (tests/fixtures/build_artifacts.py) first" % path)
    return path


def unpack(version, directory):
    home = Path(directory) / ("apache-zookeeper-%s-bin" % version)
    if not home.exists():
        with tarfile.open(tarball(version)) as tar:
            tar.extractall(directory)
    return home


def free_ports(count):
    socks = []
    for dummy in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        socks.append(sock)
    ports = [s.getsockname()[1] for s in socks]
    for sock in socks:
        sock.close()
    return ports


def digest(user, password):
    """DigestAuthenticationProvider's form: user:base64(sha1(user:password))."""
    return "%s:%s" % (user, base64.b64encode(hashlib.sha1(("%s:%s" % (user, password)).encode()).digest()).decode())


def four_letter_word(port, word, timeout=2.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(word.encode())
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return b"".join(chunks).decode()
            chunks.append(chunk)


class Ensemble:
    """count servers of one release with dynamic configuration (reconfigEnabled) and a super user."""

    def __init__(self, home, directory, count, super_password, observers=(), sasl_users=None):
        """sasl_users ({name: password}): client SASL DIGEST-MD5 enforced (enforce.auth.enabled, schemes sasl),
        these users and the super user in the JAAS Server context, and the super user named superUser, as the
        role configures it."""
        self.home, self.directory = Path(home), Path(directory)
        self.super_password = super_password
        self.sasl_users = sasl_users
        self.servers = {}
        for sid in range(1, count + 1):
            quorum, election, client = free_ports(3)
            self.servers[sid] = dict(id=sid, quorum=quorum, election=election, client=client,
                                     role="observer" if sid in observers else "participant", process=None)

    def spec(self, sid):
        server = self.servers[sid]
        return "server.%d=127.0.0.1:%d:%d:%s;127.0.0.1:%d" % (sid, server["quorum"], server["election"],
                                                              server["role"], server["client"])

    def write(self, sid, members, static=False):
        """static: the members as zoo.cfg server lines with clientPort (the form the role writes), else a
        dynamic configuration file."""
        base = self.directory / ("zk%d" % sid)
        (base / "data").mkdir(parents=True, exist_ok=True)
        (base / "data/myid").write_text("%d\n" % sid)
        lines = ["tickTime=500", "initLimit=20", "syncLimit=10", "dataDir=%s" % (base / "data"),
                 "reconfigEnabled=true", "standaloneEnabled=false", "4lw.commands.whitelist=*",
                 "admin.enableServer=false",
                 "DigestAuthenticationProvider.superDigest=%s" % digest("super", self.super_password)]
        if self.sasl_users is not None:
            users = dict(self.sasl_users, super=self.super_password)
            (base / "jaas.conf").write_text(
                "Server {\n    org.apache.zookeeper.server.auth.DigestLoginModule required\n%s    ;\n};\n"
                % "".join('    user_%s="%s"\n' % item for item in sorted(users.items())))
            lines += ["authProvider.sasl=org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
                      "enforce.auth.enabled=true", "enforce.auth.schemes=sasl", "superUser=super"]
        if static:
            lines.append("clientPort=%d" % self.servers[sid]["client"])
            lines.extend(self.spec(m).split(";")[0] for m in members)
        else:
            (base / "zoo.cfg.dynamic").write_text("".join(self.spec(m) + "\n" for m in members))
            lines.append("dynamicConfigFile=%s" % (base / "zoo.cfg.dynamic"))
        (base / "zoo.cfg").write_text("\n".join(lines) + "\n")
        return base

    def start(self, sid, members=None, static=False, write=True):
        base = self.directory / ("zk%d" % sid)
        if write:
            self.write(sid, members or sorted(self.servers), static=static)
        log = open(base / "server.log", "ab")
        sasl = [] if self.sasl_users is None else [
            "-Djava.security.auth.login.config=%s" % (base / "jaas.conf"), "-Dzookeeper.fips-mode=false"]
        command = ["java", "-Xmx192m", "-Dzookeeper.log.dir=%s" % base] + sasl + [
            "-Dlogback.configurationFile=%s" % (self.home / "conf/logback.xml"),
            "-cp", "%s:%s" % (self.home / "lib/*", self.home / "conf"),
            "org.apache.zookeeper.server.quorum.QuorumPeerMain", str(base / "zoo.cfg")]
        self.servers[sid]["process"] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=base)

    def stop(self, sid):
        process = self.servers[sid]["process"]
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.servers[sid]["process"] = None

    def close(self):
        for sid in self.servers:
            self.stop(sid)

    def mode(self, sid):
        try:
            for line in four_letter_word(self.servers[sid]["client"], "srvr").splitlines():
                if line.startswith("Mode:"):
                    return line.split(":", 1)[1].strip()
        except OSError:
            return None
        return None

    def wait_serving(self, sids, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            modes = {sid: self.mode(sid) for sid in sids}
            if all(modes.values()):
                return modes
            time.sleep(0.25)
        logs = {sid: (self.directory / ("zk%d" % sid) / "server.log").read_text()[-2000:] for sid in sids}
        raise AssertionError("servers did not serve within %ss: %s; logs: %s" % (timeout, modes, logs))

    def leader(self):
        for sid in self.servers:
            if self.mode(sid) == "leader":
                return sid
        return None
