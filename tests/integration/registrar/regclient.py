#!/usr/bin/env python3
"""Minimal SIP REGISTER client with RFC 2617 digest (MD5) for the registrar
integration test.  Sends REGISTER, answers one 401, prints the final status
and the Contact lines.  Loopback only; every wait is bounded.

usage: regclient.py HOST PORT DOMAIN USER PASSWORD CONTACT EXPIRES [CSEQ]
CONTACT may be '*'."""
import hashlib
import random
import re
import socket
import sys


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


LAST = [""]


def exchange(s, msg, dst):
    """Send like a UDP client transaction (RFC 3261 17.1.2.2: resend
    with T1 doubling, at most 16 s) and return the final status."""
    t = 0.5
    waited = 0.0
    s.sendto(msg, dst)
    while waited < 16.0:
        s.settimeout(t)
        try:
            data = s.recv(65535).decode("latin-1")
        except TimeoutError:
            waited += t
            t = min(t * 2, 4.0)
            s.sendto(msg, dst)
            continue
        code = int(data.split(" ", 2)[1])
        if code >= 200:
            LAST[0] = data
            return code
    raise TimeoutError("no final response in 16 s")


def main(a):
    host, port, domain, user, pw, contact, expires = a[:7]
    port = int(port)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    lport = s.getsockname()[1]
    cid = "%x@regclient" % random.getrandbits(64)
    ruri = "sip:%s:%d" % (host, port)
    cseq = int(a[7]) if len(a) > 7 else 1
    auth = ""
    cval = contact if contact == "*" else "<%s>" % contact
    for _ in range(2):
        msg = ("REGISTER %s SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=z9hG4bK%x\r\n"
               "Max-Forwards: 70\r\n"
               "From: <sip:%s@%s>;tag=%x\r\n"
               "To: <sip:%s@%s>\r\n"
               "Call-ID: %s\r\nCSeq: %d REGISTER\r\n"
               "Contact: %s\r\nExpires: %s\r\n%s"
               "Content-Length: 0\r\n\r\n") % (
                   ruri, lport, random.getrandbits(48), user, domain,
                   random.getrandbits(32), user, domain, cid, cseq, cval,
                   expires, auth)
        code = exchange(s, msg.encode(), (host, port))
        data = LAST[0]
        if code != 401:
            break
        ch = re.search(r'WWW-Authenticate: Digest ([^\r\n]*algorithm=MD5[^\r\n]*)', data)
        if not ch:
            ch = re.search(r'WWW-Authenticate: Digest ([^\r\n]*)', data)
        p = dict(re.findall(r'(\w+)="?([^",]*)"?', ch.group(1)))
        ha1 = md5("%s:%s:%s" % (user, p["realm"], pw))
        ha2 = md5("REGISTER:%s" % ruri)
        cn = "%x" % random.getrandbits(64)
        resp = md5("%s:%s:00000001:%s:auth:%s" % (ha1, p["nonce"], cn, ha2))
        auth = ('Authorization: Digest username="%s", realm="%s", nonce="%s", '
                'uri="%s", response="%s", algorithm=MD5, qop=auth, nc=00000001, '
                'cnonce="%s"%s\r\n') % (
                    user, p["realm"], p["nonce"], ruri, resp, cn,
                    ', opaque="%s"' % p["opaque"] if "opaque" in p else "")
        cseq += 1
    print(code)
    for line in data.split("\r\n"):
        if line.lower().startswith("contact:"):
            print(line)
    return 0


sys.exit(main(sys.argv[1:]))
