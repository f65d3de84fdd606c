#!/usr/bin/env python3
"""Loopback capture endpoint for the tests: records every request it gets.

Each request N is written atomically to DIR/N.body (the raw body),
DIR/N.meta (method, path, Content-Type, then Referer, one per line) and
DIR/N.raw (every byte read of it: request line, headers and body, as they
came).  Browsers get CORS answers (a preflight OPTIONS is recorded too), so
that a page's posthog-js can post to it as to PostHog.
Every TCP connection accepted appends a line to DIR/connections, before a
byte is read, so a client that sends nothing, or fails its TLS handshake,
still counts.  The chosen port is written to DIR/port once the socket
listens.  It binds only to loopback and exits by itself after --lifetime
seconds, so a forgotten server cannot linger.

With --tls-cert/--tls-key it speaks TLS: the handshake runs in the
connection's own thread; a connection whose first bytes are not a TLS
handshake record appends them (escaped, one line) to DIR/plaintext, and one
whose handshake fails appends the reason to DIR/tls-failures.  Bytes a
connection sent that never made a whole request are appended to
DIR/unparsed.

Modes say how it answers: ok (200 {"status": 1}), 500, 429, 503, hang (read
the request, never answer), drip (headers at once, then the body one byte a
second), trickle (the whole answer, status line first, one byte a second),
close (read the
request, close the connection without a word), endless-body (200 and a body
without a length that never ends), endless-headers (a 200 status line, then
header lines that never end), lie-200 (a 500 whose headers hold what looks
like a 200 status line), lie-500 (a 200 whose headers look like a 500),
redirect=URL (a 301 to URL).  429 and 503 carry a Retry-After of an hour,
which no client of ours may wait for.
"""
import argparse
import http.server
import os
import socket
import ssl
import sys
import threading
import time

LOCK = threading.Lock()
COUNT = [0]
MODES = ["ok", "500", "429", "503", "hang", "drip", "trickle", "close",
         "endless-body", "endless-headers", "lie-200", "lie-500"]


def mode_arg(value):
    if value in MODES or value.startswith("redirect=http"):
        return value
    raise argparse.ArgumentTypeError(f"unknown mode {value!r}")


def append_line(directory, name, text):
    """One line, one write, O_APPEND: lines from threads never mix."""
    with LOCK:
        fd = os.open(os.path.join(directory, name),
                     os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, text.encode() + b"\n")
        finally:
            os.close(fd)


class TeeReader:
    """The request stream, keeping a copy of every byte read from it."""

    def __init__(self, stream):
        self.stream, self.seen = stream, bytearray()

    def readline(self, *args):
        data = self.stream.readline(*args)
        self.seen += data
        return data

    def read(self, *args):
        data = self.stream.read(*args)
        self.seen += data
        return data

    def __getattr__(self, name):
        return getattr(self.stream, name)


def record(directory, method, path, ctype, body, raw=b"", referer=""):
    with LOCK:
        COUNT[0] += 1
        n = COUNT[0]
    for suffix, data in (("meta", f"{method}\n{path}\n{ctype}\n{referer}\n".encode()),
                         ("raw", raw), ("body", body)):
        tmp = os.path.join(directory, f".{n}.{suffix}.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(directory, f"{n}.{suffix}"))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY the
    # body waits for the client's delayed ACK (40 ms on Linux), which would
    # swamp every timing.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        self.rfile = TeeReader(self.rfile)
        self.recorded = False

    def finish(self):
        # Bytes that never made a request (a garbled or cut one) are noted
        # too: a test that says "nothing was sent" means not a byte.
        if self.rfile.seen and not self.recorded:
            append_line(self.server.directory, "unparsed", repr(bytes(self.rfile.seen[:200])))
        super().finish()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        mode = self.server.mode
        if mode == "hang":
            time.sleep(self.server.lifetime)
            return
        self.recorded = True
        record(self.server.directory, "POST", self.path,
               self.headers.get("Content-Type", ""), body, bytes(self.rfile.seen),
               self.headers.get("Referer", ""))
        if mode == "close":
            self.close_connection = True
            return
        if mode in ("endless-body", "endless-headers"):
            self.endless(mode)
            return
        if mode.startswith("lie-"):
            self.lie(mode)
            return
        if mode == "trickle":
            self.trickle()
            return
        if mode.startswith("redirect="):
            self.send_response(301)
            self.send_header("Location", mode[len("redirect="):])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = {"ok": 200, "500": 500, "429": 429, "503": 503,
                  "drip": 200}[mode]
        reply = b'{"status": 1}' if status == 200 else b'{"error": "test"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(reply)))
        if status in (429, 503):
            self.send_header("Retry-After", "3600")
        self.end_headers()
        if mode == "drip":
            for byte in reply:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(1)
        else:
            self.wfile.write(reply)

    do_PUT = do_POST

    def do_OPTIONS(self):
        """A browser's CORS preflight: allowed, and recorded."""
        self.recorded = True
        record(self.server.directory, "OPTIONS", self.path, "", b"",
               referer=self.headers.get("Referer", ""))
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
        self.send_header("Access-Control-Allow-Headers",
                         self.headers.get("Access-Control-Request-Headers", "Content-Type"))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def endless(self, mode):
        """Stream until the client goes away (or the lifetime ends)."""
        self.close_connection = True
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            if mode == "endless-body":
                self.wfile.write(b"Content-Type: application/json\r\n"
                                 b"Connection: close\r\n\r\n")
                chunk = b"x" * 65536
            else:
                chunk = b"X-Endless: " + b"y" * 1000 + b"\r\n"
                chunk *= 64
            while True:
                self.wfile.write(chunk)
        except OSError:
            pass

    def trickle(self):
        """A whole 200 answer, one byte a second from its first byte."""
        reply = b'{"status": 1}'
        answer = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(reply)) + reply
        self.close_connection = True
        try:
            for byte in answer:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass

    def lie(self, mode):
        """A status line contradicted by header lines that look like one."""
        real, fake = ("500 Internal Server Error", "200 OK") if mode == "lie-200" \
            else ("200 OK", "500 Internal Server Error")
        reply = b'{"status": 1}'
        self.close_connection = True
        self.wfile.write(f"HTTP/1.1 {real}\r\n"
                         f"X-Upstream: HTTP/1.1 {fake}\r\n"
                         f"X-Note:  HTTP/1.0 {fake}\r\n"
                         f"Content-Type: application/json\r\n"
                         f"Content-Length: {len(reply)}\r\n\r\n".encode() + reply)

    def do_GET(self):
        self.recorded = True
        record(self.server.directory, "GET", self.path, "", b"", bytes(self.rfile.seen))
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    tls = None

    def get_request(self):
        conn, addr = self.socket.accept()
        append_line(self.directory, "connections", f"{addr[0]} {addr[1]}")
        return conn, addr

    def finish_request(self, request, client_address):
        # In the connection's own thread: a client that stalls its
        # handshake holds up no one else.
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        tls = self.handshake(request)
        if tls is None:
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            tls.close()

    def handshake(self, conn):
        """The TLS side of a connection, or None when it is not TLS or its
        handshake fails (each recorded, see the module's text)."""
        conn.settimeout(10)
        try:
            first = conn.recv(16, socket.MSG_PEEK)
        except OSError:
            first = b""
        if first and first[0] != 0x16:
            append_line(self.directory, "plaintext", repr(first))
            conn.close()
            return None
        try:
            tls = self.tls.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError) as e:
            append_line(self.directory, "tls-failures", str(e).replace("\n", " "))
            conn.close()
            return None
        tls.settimeout(None)
        return tls


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dir", required=True)
    p.add_argument("--mode", default="ok", type=mode_arg,
                   help="one of " + ", ".join(MODES) + ", or redirect=URL")
    p.add_argument("--bind", default="127.0.0.1", choices=["127.0.0.1", "::1"])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--lifetime", type=float, default=300)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    a = p.parse_args()

    if a.bind == "::1":
        Server.address_family = socket.AF_INET6
    srv = Server((a.bind, a.port), Handler)
    srv.directory, srv.mode, srv.lifetime = a.dir, a.mode, a.lifetime
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        srv.tls = ctx
    tmp = os.path.join(a.dir, ".port.tmp")
    with open(tmp, "w") as f:
        f.write(f"{srv.server_address[1]}\n")
    os.rename(tmp, os.path.join(a.dir, "port"))
    threading.Timer(a.lifetime, lambda: os._exit(0)).start()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
