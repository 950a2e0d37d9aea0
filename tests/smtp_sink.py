# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A minimal real SMTP server on localhost (a thread) that keeps what it
receives: the tests deliver Odoo's mail queue to it, or stop it to see the
queue fail as with an SMTP server down."""

import socket
import socketserver
import threading


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler(socketserver.StreamRequestHandler):
    def _reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self._reply("220 sink ESMTP")
        envelope = {"from": None, "to": [], "data": b""}
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._reply(
                    "250-sink\r\n250 SIZE 10485760" if verb == "EHLO" else "250 sink"
                )
            elif verb == "MAIL":
                envelope = {"from": command[10:].strip(), "to": [], "data": b""}
                self._reply("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(command[8:].strip())
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                chunks = []
                while True:
                    data = self.rfile.readline()
                    if data in (b".\r\n", b".\n", b""):
                        break
                    chunks.append(data)
                envelope["data"] = b"".join(chunks)
                self.server.messages.append(envelope)
                self._reply("250 OK queued")
            elif verb == "RSET":
                self._reply("250 OK")
            elif verb == "NOOP":
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


class SmtpSink(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port):
        super().__init__(("127.0.0.1", port), _Handler)
        self.messages = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
