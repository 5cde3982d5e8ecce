#!/usr/bin/env python3
"""A stand-in for `ktriage serve` on loopback, for the agent test: the
upload contract of the server issue (POST /api/v1/uploads answers 201 for
new bytes, 200 for bytes seen before; /api/v1/facts and /api/v1/heartbeat
answer 200). Every request is appended to LOG as one line:
  upload SHA256 SOURCE HOST POOL KERNEL new|dup   |   facts SHA256 POOL   |   heartbeat
(a header not sent is "-").
What it has seen is read back from LOG at start, so a restarted server
still knows earlier uploads (as the real store does).

  fake-serve.py PORT LOG
"""
import hashlib, http.server, json, os, sys

port, log = int(sys.argv[1]), sys.argv[2]
seen = set()
if os.path.exists(log):
    for l in open(log):
        f = l.split()
        if f and f[0] == "upload":
            seen.add(f[1])

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def reply(self, code, doc):
        b = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        h = hashlib.sha256(body).hexdigest()
        with open(log, "a") as f:
            if self.path == "/api/v1/uploads":
                dup = h in seen
                seen.add(h)
                f.write("upload %s %s %s %s %s %s\n" % (h, self.headers.get("X-Ktriage-Source", "-"),
                        self.headers.get("X-Ktriage-Host", "-"),
                        self.headers.get("X-Ktriage-Pool", "-"),
                        self.headers.get("X-Ktriage-Kernel", "-"), "dup" if dup else "new"))
                f.flush()
                return self.reply(200 if dup else 201, {"upload": len(seen), "crashes": []})
            if self.path == "/api/v1/facts":
                json.loads(body)
                f.write("facts %s %s\n" % (h, self.headers.get("X-Ktriage-Pool", "-")))
                return self.reply(200, {})
            if self.path == "/api/v1/heartbeat":
                json.loads(body)
                f.write("heartbeat\n")
                return self.reply(200, {})
        self.reply(404, {"error": "no such route"})
    def log_message(self, *a):
        pass

http.server.ThreadingHTTPServer.allow_reuse_address = True
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
