#!/usr/bin/env python3
"""A stand-in SIP process for the supervisor tests: answers every request
on UDP 127.0.0.1:PORT with 200 (what the supervisor's OPTIONS probe
needs), prints "pid N at T" at start (T = CLOCK_MONOTONIC seconds),
"HUP" on SIGHUP, "TERM at T" on SIGTERM and exits; stops answering after
SIGUSR1 (to look hung).  Bounded: exits by itself
after LIFETIME seconds.

Usage: fake_sip.py PORT
"""
import os
import signal
import socket
import sys
import time

LIFETIME = 120.0

mute = False


def on_hup(signo, frame):
    print("HUP", flush=True)


def on_usr1(signo, frame):
    global mute
    mute = True
    print("muted", flush=True)


def on_term(signo, frame):
    print("TERM at %.6f" % time.monotonic(), flush=True)
    sys.exit(0)


def main():
    port = int(sys.argv[1])
    signal.signal(signal.SIGHUP, on_hup)
    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGTERM, on_term)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.settimeout(0.2)
    print("pid %d at %.6f" % (os.getpid(), time.monotonic()), flush=True)
    end = time.monotonic() + LIFETIME
    while time.monotonic() < end:
        try:
            data, peer = s.recvfrom(65535)
        except (socket.timeout, InterruptedError):
            continue
        if mute or not data or data.startswith(b"SIP/2.0"):
            continue
        head = data.decode(errors="replace").split("\r\n")
        keep = [h for h in head[1:] if h.split(":", 1)[0].lower() in
                ("via", "from", "to", "call-id", "cseq")]
        resp = "SIP/2.0 200 OK\r\n" + "\r\n".join(keep) + \
            "\r\nContent-Length: 0\r\n\r\n"
        s.sendto(resp.encode(), peer)


if __name__ == "__main__":
    main()
