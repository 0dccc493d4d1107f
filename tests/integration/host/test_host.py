#!/usr/bin/env python3
"""End-to-end tests of the host process (servers/common), sipxecs and
sipxctl: real processes on 127.0.0.1 with free ports, SIP over UDP and TCP
(RFC 3261), signals, configuration errors, the user store.

Usage: test_host.py CASE --sipxecs BIN --sipxctl BIN --echo BIN
Every wait is bounded; only processes this script started are signalled,
by their PID.  Exit 0 when the case passes.
"""
import argparse
import hashlib
import os
import random
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..",
                                    ".."))
START_TIMEOUT = 30.0  # ASan builds start slowly on a busy machine
STOP_TIMEOUT = 30.0
RECV_TIMEOUT = 5.0


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(50):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()
    raise Fail("no free port")


# -- SIP ----------------------------------------------------------------------

def request(method, ruri, via_port, proto="UDP", extra="", mf=70):
    branch = "z9hG4bK%016x" % random.getrandbits(64)
    return ("%s %s SIP/2.0\r\n"
            "Via: SIP/2.0/%s 127.0.0.1:%d;branch=%s;rport\r\n"
            "Max-Forwards: %d\r\n"
            "From: <sip:test@127.0.0.1>;tag=%x\r\n"
            "To: <%s>\r\n"
            "Call-ID: %x@test\r\n"
            "CSeq: 1 %s\r\n"
            "%s"
            "Content-Length: 0\r\n\r\n" %
            (method, ruri, proto, via_port, branch, mf,
             random.getrandbits(32), ruri, random.getrandbits(64), method,
             extra)).encode()


def parse(data):
    """(status, {lower header name: value}) of a response."""
    text = data.decode(errors="replace")
    head = text.split("\r\n\r\n", 1)[0].split("\r\n")
    m = re.match(r"SIP/2\.0 (\d{3}) ", head[0])
    check(m, "not a response: %r" % head[0])
    hdrs = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        hdrs[name.strip().lower()] = value.strip()
    return int(m.group(1)), hdrs


def udp_transaction(port, method, ruri, extra="", mf=70, timeout=RECV_TIMEOUT):
    """Send one request over UDP; return the first final response."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.5)
    msg = request(method, ruri, s.getsockname()[1], extra=extra, mf=mf)
    deadline = time.monotonic() + timeout
    try:
        s.sendto(msg, ("127.0.0.1", port))
        next_tx = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            try:
                data = s.recv(65535)
            except socket.timeout:
                if time.monotonic() >= next_tx:  # RFC 3261 17.1.2.2
                    s.sendto(msg, ("127.0.0.1", port))
                    next_tx = time.monotonic() + 0.5
                continue
            status, hdrs = parse(data)
            if status >= 200:
                return status, hdrs
        raise Fail("no final response from port %d" % port)
    finally:
        s.close()


def tcp_transaction(port, method, ruri):
    s = socket.create_connection(("127.0.0.1", port), timeout=RECV_TIMEOUT)
    try:
        s.sendall(request(method, ruri, s.getsockname()[1], proto="TCP"))
        buf = b""
        deadline = time.monotonic() + RECV_TIMEOUT
        while time.monotonic() < deadline:
            chunk = s.recv(65535)
            check(chunk, "TCP connection closed without a response")
            buf += chunk
            while b"\r\n\r\n" in buf:
                head, _, rest = buf.partition(b"\r\n\r\n")
                status, hdrs = parse(head + b"\r\n\r\n")
                buf = rest[int(hdrs.get("content-length", "0")):]
                if status >= 200:
                    return status, hdrs
        raise Fail("no TCP response")
    finally:
        s.close()


# -- processes ----------------------------------------------------------------

class Server:
    """A server process we started; stderr goes to a file."""

    def __init__(self, binary, conf, workdir):
        self.log_path = os.path.join(workdir, "server-%d.log" %
                                     random.getrandbits(24))
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([binary, "-c", conf], cwd=workdir,
                                     stdout=self.log, stderr=self.log)

    def stderr(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def wait_ready(self, port):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Fail("server exited with %d:\n%s" %
                           (self.proc.returncode, self.stderr()))
            try:
                status, _ = udp_transaction(port, "OPTIONS",
                                            "sip:127.0.0.1:%d" % port,
                                            timeout=0.6)
                if status == 200:
                    return
            except Fail:
                pass
        raise Fail("server did not answer OPTIONS:\n" + self.stderr())

    def send(self, signo):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signo)

    def stop(self, signo=signal.SIGTERM):
        """Signal, wait (bounded) and return the exit code."""
        self.send(signo)
        try:
            rc = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=STOP_TIMEOUT)
            raise Fail("server did not stop on signal %d" % signo)
        finally:
            self.log.close()
        return rc

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=STOP_TIMEOUT)
        self.log.close()


def run(argv, cwd, stdin=None):
    p = subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def base_conf(port, workers=2, extra=""):
    return ("# test configuration\n"
            "[sip]\n"
            "bind = 127.0.0.1\n"
            "port = %d\n"
            "workers = %d\n"
            "t1 = 50\n"
            "[store]\n"
            "path = ./var/test.db\n"
            "[log]\n"
            "level = info\n%s" % (port, workers, extra))


def sipxecs_services(args, tmp):
    """[services]/[registrar] lines for sipxecs: the registrar on a free
    port when it is built in, else no service."""
    conf = write(os.path.join(tmp, "probe.conf"),
                 base_conf(free_port()) + "[registrar]\nport = %d\n" %
                 free_port())
    rc, _, _ = run([args.sipxecs, "-c", conf, "--check-config"], tmp)
    if rc == 0:
        return "[registrar]\nport = %d\n" % free_port(), True
    return "[services]\nenable =\n", False


def started(binary, conf_text, tmp, port):
    conf = write(os.path.join(tmp, "sipxecs.conf"), conf_text)
    srv = Server(binary, conf, tmp)
    try:
        srv.wait_ready(port)
    except Exception:
        srv.kill()
        raise
    return srv, conf


# -- cases --------------------------------------------------------------------

def case_check_config(args, tmp):
    good = write(os.path.join(tmp, "good.conf"), base_conf(free_port()))
    rc, out, err = run([args.sipxecs, "-c", good, "--check-config"], tmp)
    check(rc == 0 and "configuration OK" in out, "good config: %d %s" %
          (rc, err))
    bad = {
        "[sip]\nport = 5060\nbogus = 1\n": r":3: unknown key 'bogus'",
        "[sip]\n\n[nosuch]\n": r":3: unknown section \[nosuch\]",
        "[sip]\nport = 70000\n": r":2: port",
        "[log]\nlevel = loud\n": r"\[log\] level",
        "[services]\nenable = nosuch\n": r"unknown service 'nosuch'",
        "[sip]\nbind = example.com\n": r"\[sip\] bind",
        "[sip]\ntls_cert = /x.pem\n": r"tls_key",
    }
    for text, pattern in bad.items():
        path = write(os.path.join(tmp, "bad.conf"), text)
        rc, _, err = run([args.sipxecs, "-c", path, "-t"], tmp)
        check(rc == 1, "bad config %r: exit %d" % (text, rc))
        check(re.search(re.escape(path) + ".*" + pattern, err),
              "bad config %r: message %r" % (text, err))
    # a service's own section: its keys are checked too
    path = write(os.path.join(tmp, "echo.conf"),
                 "[echo]\nport = 5070\nnope = 2\n")
    rc, _, err = run([args.echo, "-c", path, "-t"], tmp)
    check(rc == 1 and path + ":3: unknown key 'nope' in [echo]" in err,
          "service key: %d %r" % (rc, err))
    path = write(os.path.join(tmp, "echo.conf"), "[echo]\nport = %d\n" %
                 5060)
    rc, _, err = run([args.echo, "-c", path, "-t"], tmp)
    check(rc == 1 and "port 5060 is the [sip] port" in err,
          "port clash: %d %r" % (rc, err))
    rc, _, err = run([args.sipxecs, "-c", os.path.join(tmp, "none.conf"),
                      "-t"], tmp)
    check(rc == 1 and "cannot open" in err, "missing file: %d %r" % (rc, err))
    rc, _, _ = run([args.sipxecs, "--bogus"], tmp)
    check(rc == 2, "usage error: exit %d" % rc)
    # the documented default file is valid as shipped
    shipped = os.path.join(REPO, "etc", "sipxecs.conf")
    rc, out, err = run([args.sipxecs, "-c", shipped, "-t"], tmp)
    check(rc == 0, "etc/sipxecs.conf: %d %s" % (rc, err))


def sipp_probe(port, tmp):
    """The readiness probe health checks use: sipp with options.xml."""
    sipp = shutil.which("sipp")
    if not sipp:
        print("sipp not installed: probe skipped")
        return
    scen = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "options.xml")
    rc, out, err = run([sipp, "-sf", scen, "-m", "1", "-timeout", "10",
                        "-timeout_error", "-i", "127.0.0.1", "-p",
                        str(free_port()), "-nostdin",
                        "127.0.0.1:%d" % port], tmp)
    check(rc == 0, "sipp OPTIONS probe: exit %d\n%s%s" % (rc, out[-500:],
                                                           err[-500:]))


def case_options_sipxecs(args, tmp):
    port = free_port()
    svc, _ = sipxecs_services(args, tmp)
    srv, _ = started(args.sipxecs, base_conf(port, extra=svc), tmp, port)
    try:
        status, hdrs = udp_transaction(port, "OPTIONS",
                                       "sip:127.0.0.1:%d" % port)
        check(status == 200, "OPTIONS: %d" % status)
        for h in ("allow", "accept", "supported"):
            check(h in hdrs, "OPTIONS answer lacks %s: %r" % (h, hdrs))
        check("OPTIONS" in hdrs["allow"], "Allow: %r" % hdrs["allow"])
        status, _ = udp_transaction(port, "OPTIONS",
                                    "sip:nobody@127.0.0.1:%d" % port, mf=0)
        check(status == 200, "OPTIONS Max-Forwards 0: %d" % status)
        status, _ = tcp_transaction(port, "OPTIONS",
                                    "sip:127.0.0.1:%d" % port)
        check(status == 200, "OPTIONS over TCP: %d" % status)
        sipp_probe(port, tmp)
        banner = srv.stderr()
        for want in ("127.0.0.1:%d" % port, "realm 127.0.0.1",
                     "./var/test.db", "user add alice --password secret"):
            check(want in banner, "banner lacks %r:\n%s" % (want, banner))
    finally:
        rc = srv.stop()
    check(rc == 0, "exit code %d after SIGTERM:\n%s" % (rc, srv.stderr()))


def case_sigterm_clean(args, tmp):
    """SIGINT and SIGTERM stop cleanly (exit 0: ASan finds no leak) after
    traffic over UDP and TCP; the secret file is reused by the second
    run."""
    svc, _ = sipxecs_services(args, tmp)
    for signo in (signal.SIGINT, signal.SIGTERM):
        port = free_port()
        srv, _ = started(args.sipxecs, base_conf(port, workers=3, extra=svc),
                         tmp, port)
        try:
            for _ in range(10):
                udp_transaction(port, "OPTIONS", "sip:127.0.0.1:%d" % port)
            tcp_transaction(port, "OPTIONS", "sip:127.0.0.1:%d" % port)
            # a request nobody answers: the host must not hang on it
            udp_transaction(port, "MESSAGE", "sip:x@127.0.0.1:%d" % port)
        finally:
            rc = srv.stop(signo)
        check(rc == 0, "exit code %d after signal %d:\n%s" %
              (rc, signo, srv.stderr()))
        secret = os.path.join(tmp, "var", "auth.secret")
        check(os.path.exists(secret), "no secret file")
        check(os.stat(secret).st_mode & 0o077 == 0, "secret file mode")


def echo_conf(port, echo_port, code=200, workers=2):
    return base_conf(port, workers=workers,
                     extra="[echo]\nport = %d\ncode = %d\n" %
                     (echo_port, code))


def case_echo_dispatch(args, tmp):
    port, eport = free_port(), free_port()
    srv, _ = started(args.echo, echo_conf(port, eport), tmp, port)
    try:
        status, hdrs = udp_transaction(port, "MESSAGE",
                                       "sip:bob@127.0.0.1:%d" % port)
        check(status == 200 and "x-echo-worker" in hdrs,
              "main port -> front service: %d %r" % (status, hdrs))
        status, hdrs = udp_transaction(eport, "MESSAGE",
                                       "sip:bob@127.0.0.1:%d" % eport)
        check(status == 200 and "x-echo-worker" in hdrs,
              "service port: %d %r" % (status, hdrs))
        status, hdrs = tcp_transaction(eport, "INFO",
                                       "sip:bob@127.0.0.1:%d" % eport)
        check(status == 200, "service port over TCP: %d" % status)
        status, hdrs = udp_transaction(eport, "OPTIONS",
                                       "sip:127.0.0.1:%d" % eport)
        check(status == 200 and "x-echo-worker" not in hdrs,
              "OPTIONS to the host on a service port: %r" % hdrs)
        allow = [m.strip() for m in hdrs["allow"].split(",")]
        check(sorted(allow) == ["INFO", "MESSAGE", "OPTIONS"],
              "Allow: %r" % hdrs["allow"])
        check(hdrs["supported"] == "path", "Supported: %r" %
              hdrs["supported"])
        status, hdrs = udp_transaction(port, "OPTIONS",
                                       "sip:bob@127.0.0.1:%d" % port)
        check(status == 200 and "x-echo-worker" in hdrs,
              "OPTIONS for a user goes to the service: %r" % hdrs)
    finally:
        rc = srv.stop()
    check(rc == 0, "exit code %d:\n%s" % (rc, srv.stderr()))


def wait_status(port, want):
    deadline = time.monotonic() + RECV_TIMEOUT * 2
    status = None
    while time.monotonic() < deadline:
        status, _ = udp_transaction(port, "MESSAGE",
                                    "sip:bob@127.0.0.1:%d" % port)
        if status == want:
            return
        time.sleep(0.1)
    raise Fail("status %s, expected %d" % (status, want))


def case_echo_reload(args, tmp):
    port, eport = free_port(), free_port()
    srv, conf = started(args.echo, echo_conf(port, eport), tmp, port)
    try:
        wait_status(port, 200)
        # reloadable key of the service; a boot-only key of [sip] changes
        # too and must only be reported
        write(conf, echo_conf(port, eport, code=486, workers=3))
        srv.send(signal.SIGHUP)
        wait_status(port, 486)
        check("[sip] workers changed" in srv.stderr(),
              "boot-only change not reported:\n" + srv.stderr())
        # a broken file keeps the running configuration
        write(conf, echo_conf(port, eport, code=486) + "junk = 1\n")
        srv.send(signal.SIGHUP)
        deadline = time.monotonic() + RECV_TIMEOUT
        while "keeping the running" not in srv.stderr():
            check(time.monotonic() < deadline, "bad reload not reported")
            time.sleep(0.1)
        wait_status(port, 486)
        write(conf, echo_conf(port, eport, code=200))
        srv.send(signal.SIGHUP)
        wait_status(port, 200)
    finally:
        rc = srv.stop()
    check(rc == 0, "exit code %d:\n%s" % (rc, srv.stderr()))


def answer_relayed(target):
    """Answer one request read from @target with 202 from a fresh socket
    (a new source port: the kernel may pick any worker)."""
    data = target.recv(65535).decode()
    via = re.search(r"\r\nVia: SIP/2\.0/UDP ([0-9.]+):(\d+);", data)
    check(via, "relayed request has no Via: %r" % data)
    head = data.split("\r\n\r\n")[0].split("\r\n")[1:]
    keep = [h for h in head if h.split(":")[0].lower() in
            ("via", "from", "to", "call-id", "cseq")]
    resp = ("SIP/2.0 202 Accepted\r\n" + "\r\n".join(keep) +
            "\r\nContent-Length: 0\r\n\r\n").encode()
    answer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    answer.bind(("127.0.0.1", 0))
    answer.sendto(resp, (via.group(1), int(via.group(2))))
    answer.close()


def case_handover(args, tmp):
    """Responses to the host's client transactions arrive from fresh
    source ports, so SO_REUSEPORT spreads them over the workers; each must
    reach the worker that owns the transaction (else Timer F: 408)."""
    port, eport = free_port(), free_port()
    srv, _ = started(args.echo, echo_conf(port, eport, workers=4), tmp, port)
    target = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    target.bind(("127.0.0.1", 0))
    relay = "X-Echo-Relay: 127.0.0.1:%d\r\n" % target.getsockname()[1]
    rounds = 24
    try:
        for i in range(rounds):
            c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            c.bind(("127.0.0.1", 0))
            c.sendto(request("MESSAGE", "sip:bob@127.0.0.1:%d" % port,
                             c.getsockname()[1], extra=relay),
                     ("127.0.0.1", port))
            # answer every relayed request, retransmissions included
            # (absorbed by the completed transactions), until the final
            status, deadline = None, time.monotonic() + RECV_TIMEOUT * 2
            while status is None or status < 200:
                left = deadline - time.monotonic()
                check(left > 0, "round %d: no final response" % i)
                ready, _, _ = select.select([c, target], [], [], left)
                if target in ready:
                    answer_relayed(target)
                if c in ready:
                    status, _ = parse(c.recv(65535))
            check(status == 202, "round %d: relay ended with %d" %
                  (i, status))
            c.close()
    finally:
        target.close()
        rc = srv.stop()
    check(rc == 0, "exit code %d:\n%s" % (rc, srv.stderr()))


def ctl(args, tmp, conf, *cmd, stdin=None):
    return run([args.sipxctl, "-c", conf] + list(cmd), tmp, stdin)


def user_names(args, tmp, conf):
    rc, out, err = ctl(args, tmp, conf, "user", "list")
    check(rc == 0, "user list: %d %s" % (rc, err))
    return [line.split("\t")[0] for line in out.splitlines()]


def case_sipxctl_roundtrip(args, tmp):
    svc, _ = sipxecs_services(args, tmp)
    conf = write(os.path.join(tmp, "ctl.conf"),
                 base_conf(free_port(), extra=svc))
    rc, out, err = ctl(args, tmp, conf, "user", "add", "alice",
                       "--password", "secret")
    check(rc == 0 and "added alice" in out, "add: %d %s" % (rc, err))
    rc, _, err = ctl(args, tmp, conf, "user", "add", "alice", "--password",
                     "x")
    check(rc == 1 and "exists" in err, "duplicate add: %d %s" % (rc, err))
    rc, _, err = ctl(args, tmp, conf, "user", "add", "dave", stdin="pw\n")
    check(rc == 0, "add with the password on stdin: %d %s" % (rc, err))
    csv = write(os.path.join(tmp, "users.csv"),
                "name,password\nbob,pw1\n# comment\n\ncarol,pw 2\n"
                "erin,p,w\n")
    rc, out, err = ctl(args, tmp, conf, "user", "import", csv)
    check(rc == 0 and "imported 3 users" in out, "import: %d %s %s" %
          (rc, out, err))
    check(user_names(args, tmp, conf) == ["alice", "bob", "carol", "dave",
                                          "erin"], "list after import")
    rc, out, _ = ctl(args, tmp, conf, "user", "list")
    check("\t127.0.0.1\tmd5,sha256" in out, "realm and HA1s: %r" % out)
    rc, _, err = ctl(args, tmp, conf, "user", "del", "bob")
    check(rc == 0, "del: %d %s" % (rc, err))
    rc, _, err = ctl(args, tmp, conf, "user", "del", "bob")
    check(rc == 1 and "no user bob" in err, "del twice: %d %s" % (rc, err))
    check(user_names(args, tmp, conf) == ["alice", "carol", "dave", "erin"],
          "list after del")
    rc, out, err = ctl(args, tmp, conf, "reg", "list", "--count")
    check(rc == 0 and out.strip() == "0", "reg count: %d %r %s" %
          (rc, out, err))
    rc, out, err = ctl(args, tmp, conf, "reg", "list")
    check(rc == 0 and out == "", "reg list: %d %r" % (rc, out))
    # while the server runs on the same database (WAL)
    port = int(re.search(r"port = (\d+)", open(conf).read()).group(1))
    srv = Server(args.sipxecs, conf, tmp)
    try:
        srv.wait_ready(port)
        rc, _, err = ctl(args, tmp, conf, "user", "add", "frank",
                         "--password", "pw")
        check(rc == 0, "add while running: %d %s" % (rc, err))
    finally:
        rc = srv.stop()
    check(rc == 0, "server exit %d" % rc)
    check("frank" in user_names(args, tmp, conf), "frank stored")


def digest_register(port, user, password, alg):
    """REGISTER with digest (RFC 7616, qop=auth) using @alg's challenge;
    the final status of the authenticated request."""
    ruri = "sip:127.0.0.1:%d" % port
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(RECV_TIMEOUT)
    lport = s.getsockname()[1]
    aor = "To: <sip:%s@127.0.0.1>\r\n" % user
    contact = "Contact: <sip:%s@127.0.0.1:%d>\r\nExpires: 600\r\n" % (
        user, lport)

    def send(extra):
        msg = request("REGISTER", ruri, lport, extra=contact + extra)
        msg = msg.replace(b"To: <%s>\r\n" % ruri.encode(), aor.encode())
        s.sendto(msg, ("127.0.0.1", port))
        while True:
            data = s.recv(65535)
            status, _ = parse(data)
            if status >= 200:
                return status, data.decode()
    try:
        status, data = send("")
        check(status == 401, "first REGISTER: %d" % status)
        ch = [line for line in data.split("\r\n")
              if line.startswith("WWW-Authenticate:") and
              "algorithm=%s" % alg in line]
        check(ch, "no %s challenge: %r" % (alg, data))
        realm = re.search(r'realm="([^"]*)"', ch[0]).group(1)
        nonce = re.search(r'nonce="([^"]*)"', ch[0]).group(1)
        h = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[alg]
        hx = lambda t: h(t.encode()).hexdigest()
        ha1 = hx("%s:%s:%s" % (user, realm, password))
        cnonce, nc = "%08x" % random.getrandbits(32), "00000001"
        resp = hx("%s:%s:%s:%s:auth:%s" % (ha1, nonce, nc, cnonce,
                                            hx("REGISTER:" + ruri)))
        auth = ('Authorization: Digest username="%s", realm="%s", '
                'nonce="%s", uri="%s", response="%s", algorithm=%s, '
                'qop=auth, nc=%s, cnonce="%s"\r\n' %
                (user, realm, nonce, ruri, resp, alg, nc, cnonce))
        return send(auth)[0]
    finally:
        s.close()


def case_register_digest(args, tmp):
    """Users added with sipxctl authenticate through the host's digest
    engine and store (MD5 and SHA-256); the binding shows in reg list."""
    port = free_port()
    svc, have_registrar = sipxecs_services(args, tmp)
    if not have_registrar:
        print("registrar not built: nothing to check")
        return
    # [sip] digest_algorithms: both offered (the default is MD5 only)
    text = base_conf(port, extra=svc).replace(
        "[sip]\n", "[sip]\ndigest_algorithms = sha-256, md5\n", 1)
    conf = write(os.path.join(tmp, "sipxecs.conf"), text)
    for user in ("alice", "bob"):
        rc, _, err = ctl(args, tmp, conf, "user", "add", user, "--password",
                         "pw-" + user)
        check(rc == 0, "user add: %s" % err)
    srv = Server(args.sipxecs, conf, tmp)
    try:
        srv.wait_ready(port)
        check(digest_register(port, "alice", "pw-alice", "MD5") == 200,
              "alice (MD5) not registered")
        check(digest_register(port, "bob", "pw-bob", "SHA-256") == 200,
              "bob (SHA-256) not registered")
        check(digest_register(port, "bob", "wrong", "MD5") == 401,
              "wrong password accepted")
        rc, out, err = ctl(args, tmp, conf, "reg", "list", "--count")
        check(rc == 0 and out.strip() == "2", "reg count: %r %s" %
              (out, err))
        rc, out, _ = ctl(args, tmp, conf, "reg", "list")
        check("sip:alice@127.0.0.1" in out, "reg list: %r" % out)
    finally:
        rc = srv.stop()
    check(rc == 0, "exit code %d:\n%s" % (rc, srv.stderr()))


def case_tls_options(args, tmp):
    """[sip] tls_cert/tls_key open a TLS listener (RFC 3261 26.2.1)."""
    openssl = shutil.which("openssl")
    check(openssl, "openssl not installed")
    cert, key = os.path.join(tmp, "c.pem"), os.path.join(tmp, "k.pem")
    rc, _, err = run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                      "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                      key, "-out", cert, "-days", "1", "-subj",
                      "/CN=127.0.0.1"], tmp)
    check(rc == 0, "openssl: %s" % err)
    port, tport = free_port(), free_port()
    extra = "[services]\nenable =\n"
    text = base_conf(port, extra=extra).replace(
        "t1 = 50\n", "t1 = 50\ntls_port = %d\ntls_cert = %s\n"
        "tls_key = %s\n" % (tport, cert, key))
    srv, _ = started(args.sipxecs, text, tmp, port)
    try:
        ctx = ssl.create_default_context(cafile=cert)
        ctx.check_hostname = False
        raw = socket.create_connection(("127.0.0.1", tport),
                                       timeout=RECV_TIMEOUT)
        with ctx.wrap_socket(raw) as s:
            s.sendall(request("OPTIONS", "sip:127.0.0.1:%d" % tport,
                              s.getsockname()[1], proto="TLS"))
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65535)
                check(chunk, "TLS connection closed")
                data += chunk
            status, _ = parse(data)
            check(status == 200, "OPTIONS over TLS: %d" % status)
        check("tls       127.0.0.1:%d" % tport in srv.stderr(),
              "banner lacks the TLS port:\n" + srv.stderr())
    finally:
        rc = srv.stop()
    check(rc == 0, "exit code %d:\n%s" % (rc, srv.stderr()))


def case_run_script(args, tmp):
    """scripts/run.sh (make run) execs the server in the foreground from
    the current folder: var/ is created, Ctrl-C (SIGINT) stops it."""
    build = os.path.dirname(os.path.dirname(args.sipxecs))
    port = free_port()
    conf = write(os.path.join(tmp, "run.conf"),
                 base_conf(port, extra="[services]\nenable =\n"))
    # the supervisor's API on a free port too (never assume 8092 is free)
    os.makedirs(os.path.join(tmp, "process.d"), exist_ok=True)
    shutil.copy(os.path.join(REPO, "etc", "process.d", "sipxecs.conf"),
                os.path.join(tmp, "process.d", "sipxecs.conf"))
    sup = write(os.path.join(tmp, "supervisor.conf"),
                "[supervisor]\nprocesses = process.d/sipxecs.conf\n"
                "[api]\nport = %d\n" % free_port())
    env = dict(os.environ, SX_SUP_CONF=sup)
    log = open(os.path.join(tmp, "run.log"), "wb")
    proc = subprocess.Popen([os.path.join(REPO, "scripts", "run.sh"), build,
                             "-c", conf], cwd=tmp, stdout=log, stderr=log,
                            env=env)
    srv = Server.__new__(Server)
    srv.proc, srv.log, srv.log_path = proc, log, log.name
    try:
        srv.wait_ready(port)
        check(os.path.isdir(os.path.join(tmp, "var")), "var/ not created")
    except Exception:
        srv.kill()
        raise
    rc = srv.stop(signal.SIGINT)
    check(rc == 0, "exit code %d after SIGINT:\n%s" % (rc, srv.stderr()))


def case_sipxctl_errors(args, tmp):
    conf = write(os.path.join(tmp, "ctl.conf"),
                 base_conf(free_port(), extra="[services]\nenable =\n"))
    rc, _, _ = run([args.sipxctl], tmp)
    check(rc == 2, "no command: %d" % rc)
    rc, _, _ = ctl(args, tmp, conf, "frobnicate")
    check(rc == 2, "unknown command: %d" % rc)
    rc, _, _ = ctl(args, tmp, conf, "user", "add")
    check(rc == 2, "user add without name: %d" % rc)
    rc, _, _ = ctl(args, tmp, conf, "reg", "list", "--bogus")
    check(rc == 2, "reg list --bogus: %d" % rc)
    rc, _, err = ctl(args, tmp, conf, "user", "add", "bad name",
                     "--password", "x")
    check(rc == 1 and "not a valid user name" in err, "bad name: %s" % err)
    csv = write(os.path.join(tmp, "bad.csv"), "ok1,pw\nok2,pw\nnocomma\n")
    rc, _, err = ctl(args, tmp, conf, "user", "import", csv)
    check(rc == 1 and csv + ":3:" in err, "bad csv: %d %s" % (rc, err))
    check(user_names(args, tmp, conf) == [], "bad import stored nothing")
    bad = write(os.path.join(tmp, "badconf.conf"), "[sip]\nnope = 1\n")
    rc, _, err = ctl(args, tmp, bad, "user", "list")
    check(rc == 1 and bad + ":2:" in err, "bad config: %d %s" % (rc, err))


CASES = {name[5:]: fn for name, fn in globals().items()
         if name.startswith("case_")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--sipxecs", required=True)
    ap.add_argument("--sipxctl", required=True)
    ap.add_argument("--echo", required=True)
    args = ap.parse_args()
    for name in ("sipxecs", "sipxctl", "echo"):
        setattr(args, name, os.path.abspath(getattr(args, name)))
    with tempfile.TemporaryDirectory(prefix="sx-host-") as tmp:
        try:
            CASES[args.case](args, tmp)
        except Fail as e:
            print("FAIL %s: %s" % (args.case, e))
            return 1
    print("PASS %s" % args.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
