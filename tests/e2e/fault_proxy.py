#!/usr/bin/env python3
"""An HTTP proxy that sits between sparkify and moto_server and breaks things on purpose.

Usage: fault_proxy.py --upstream http://127.0.0.1:PORT [--mode mixed|always|none]
                      [--match TEXT] [--stall-seconds S] [--seed N] [--rate PERCENT]
                      [--delay-ms MS]
Prints its own URL (http://127.0.0.1:PORT) on stdout once it listens, then serves until
killed. GET /__faults returns the faults injected so far, as JSON.

mixed:  the first try of --rate percent (default 40) of requests gets one fault, chosen from the request
        (deterministic for a seed): 503 SlowDown, 500 InternalError, a dropped connection,
        a reset, a truncated body, a stall longer than the client's read timeout, or a slow
        (but complete) response. The second try of a request always goes through.
always: every GET whose path contains --match gets 503 SlowDown, every time; the rest
        goes through untouched.
none:   no faults (with --delay-ms: a stand-in for a distant S3, for bench/s3_fetch.sh).
--delay-ms adds that much latency before every request is forwarded.
Only 127.0.0.1 is ever contacted.
"""
import argparse
import hashlib
import http.client
import json
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

FAULTS = ["503", "500", "drop", "reset", "truncate", "stall", "slow"]


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.attempts = {}
        self.injected = {}

    def next_attempt(self, key):
        with self.lock:
            self.attempts[key] = self.attempts.get(key, 0) + 1
            return self.attempts[key]

    def record(self, fault):
        with self.lock:
            self.injected[fault] = self.injected.get(fault, 0) + 1

    def choose(self, method, target):
        a = self.args
        if a.mode == "none":
            return None
        if a.mode == "always":
            if method == "GET" and a.match and a.match in urllib.parse.unquote(target.split("?")[0]):
                return "503"
            return None
        if self.next_attempt(method + " " + target) > 1:
            return None
        digest = hashlib.sha256((str(a.seed) + method + target).encode()).digest()
        if digest[0] * 100 // 256 >= a.rate:
            return None
        return FAULTS[digest[1] % len(FAULTS)]


def error_xml(code, message):
    return ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message>'
            '<RequestId>FAULTPROXY</RequestId></Error>' % (code, message)).encode()


class Handler(socketserver.StreamRequestHandler):
    def read_request(self):
        line = self.rfile.readline(65537)
        if not line:
            return None
        method, target, _ = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
        headers = []
        length = 0
        while True:
            h = self.rfile.readline(65537).decode("latin-1")
            if h in ("\r\n", "\n", ""):
                break
            name, value = h.rstrip("\r\n").split(":", 1)
            headers.append((name, value.strip()))
            if name.lower() == "content-length":
                length = int(value)
        body = self.rfile.read(length) if length else b""
        return method, target, headers, body

    def respond(self, status, reason, headers, body, fault=None):
        head = "HTTP/1.1 %d %s\r\n" % (status, reason)
        for name, value in headers:
            if name.lower() in ("connection", "transfer-encoding", "content-length"):
                continue
            head += "%s: %s\r\n" % (name, value)
        head += "Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
        self.wfile.write(head.encode("latin-1"))
        if fault == "truncate" and len(body) > 1:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            return
        if fault == "slow" and len(body) > 1:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            time.sleep(0.3)
            self.wfile.write(body[len(body) // 2:])
        else:
            self.wfile.write(body)
        self.wfile.flush()

    def handle(self):
        state = self.server.state
        request = self.read_request()
        if request is None:
            return
        method, target, headers, body = request
        if target == "/__faults":
            self.respond(200, "OK", [("Content-Type", "application/json")],
                         json.dumps(state.injected).encode())
            return
        fault = state.choose(method, target)
        if fault:
            state.record(fault)
        if fault == "503":
            self.respond(503, "Slow Down", [("Content-Type", "application/xml")],
                         error_xml("SlowDown", "Please reduce your request rate."))
            return
        if fault == "500":
            self.respond(500, "Internal Server Error", [("Content-Type", "application/xml")],
                         error_xml("InternalError", "We encountered an internal error."))
            return
        if fault == "drop":
            return  # closes without a byte
        if fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if fault == "stall":
            time.sleep(self.server.args.stall_seconds)
            return
        if self.server.args.delay_ms:
            time.sleep(self.server.args.delay_ms / 1000.0)
        up = urllib.parse.urlsplit(self.server.args.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        self.respond(resp.status, resp.reason, resp.getheaders(), data, fault)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # the default 5 drops SYNs when many GETs connect at once


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--upstream", required=True)
    p.add_argument("--mode", choices=["mixed", "always", "none"], default="mixed")
    p.add_argument("--delay-ms", type=float, default=0)
    p.add_argument("--match", default="")
    p.add_argument("--stall-seconds", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rate", type=int, default=40, help="percent of first tries that fail")
    args = p.parse_args()
    if urllib.parse.urlsplit(args.upstream).hostname != "127.0.0.1":
        sys.exit("fault_proxy: the upstream must be on 127.0.0.1")
    server = Server(("127.0.0.1", 0), Handler)
    server.args = args
    server.state = State(args)
    print("http://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
