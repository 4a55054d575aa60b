#!/usr/bin/env python3
"""The e-mail paths through the real gateway (libog_email.so in `omnigate serve`, SQLite,
synchronous=FULL), each measured in this run:

  webhook   the corpus posted as raw message/rfc822 (each copy with its own Message-ID) by
            CONNECTIONS keep-alive clients: stored mails per second (a 200 means committed)
  idle      MAILS_IDLE mails appended one at a time to a real Dovecot folder the gateway
            watches with IDLE: append → stored (row in the database) latency, p50/p99
  import    a folder of IMPORT mails, the gateway killed with SIGKILL when half are stored and
            started again: time from the first start until every mail is stored, and a check
            that none is missing or stored twice

  gateway_bench.py --omnigate BIN --plugin-dir DIR --corpus DIR [--corpus DIR ...]
  (env: WEBHOOK_ROUNDS=3 CONNECTIONS=4 MAILS_IDLE=100 IMPORT=10000)
Prints human-readable lines, then "RESULT {json}".
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "mail"))
import mail_servers  # noqa: E402

SECRET = "bench-webhook-secret"
USER, PASSWORD = "support", "bench-imap-secret"


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Gateway:
    running = []  # every started gateway, stopped at exit whatever happened

    def __init__(self, args, work, dovecot=None):
        self.args, self.work = args, work
        os.makedirs(work, exist_ok=True)
        plugin = {"address": "support@example.com", "webhook": {"secret": SECRET,
                                                                "max_body_bytes": 64 << 20}}
        if dovecot:
            plugin["imap"] = {"host": "127.0.0.1", "port": dovecot.port, "tls": "none",
                              "user": USER, "password": PASSWORD, "poll_interval_seconds": 30}
        self.config = os.path.join(work, "omnigate.toml")
        with open(self.config, "w") as f:
            f.write("[server]\nlisten = \"127.0.0.1:0\"\nworker_threads = 2\n"
                    f"[storage]\ndata_dir = \"{work}/data\"\n[log]\nlevel = \"warn\"\n"
                    "[[plugins]]\ninstance = \"email\"\n"
                    f"file = \"{os.path.join(args.plugin_dir, 'libog_email.so')}\"\n"
                    "isolation = \"in_process\"\n"
                    f"[plugins.config]\n{toml_inline(plugin)}")
        self.db_path = os.path.join(work, "data", "omnigate.db")
        self.process = None

    def start(self):
        port_file = os.path.join(self.work, "port")
        if os.path.exists(port_file):
            os.remove(port_file)
        self.process = subprocess.Popen(
            [self.args.omnigate, "serve", "--config", self.config, "--port-file", port_file],
            stdout=open(os.path.join(self.work, "gateway.out"), "ab"),
            stderr=open(os.path.join(self.work, "gateway.err"), "ab"))
        Gateway.running.append(self)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if os.path.exists(port_file) and open(port_file).read().strip():
                self.port = int(open(port_file).read())
                time.sleep(0.2)
                return self
            if self.process.poll() is not None:
                raise SystemExit("omnigate exited: see " + self.work)
            time.sleep(0.05)
        raise SystemExit("omnigate did not start")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)

    def stored(self):
        try:
            db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
            try:
                return db.execute("SELECT COUNT(*) FROM messages WHERE direction = 'in'"
                                  ).fetchone()[0]
            finally:
                db.close()
        except sqlite3.OperationalError:
            return 0

    def query(self, sql):
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()


def toml_inline(table, prefix=""):
    lines, subtables = [], []
    for key, value in table.items():
        if isinstance(value, dict):
            subtables.append((key, value))
        elif isinstance(value, str):
            lines.append(f"{key} = {json.dumps(value)}")
        elif isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        else:
            lines.append(f"{key} = {value}")
    out = "\n".join(lines) + "\n"
    for key, value in subtables:
        name = f"{prefix}{key}"
        out += f"[plugins.config.{name}]\n" + toml_inline(value, name + ".")
    return out


def with_message_id(raw, new_id):
    """The mail with its Message-ID replaced (or added), so each copy is a new mail."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    head = re.sub(rb"(?im)^message-id:[^\r\n]*(\r?\n[ \t][^\r\n]*)*\r?\n?", b"", head)
    return b"Message-ID: <" + new_id.encode() + b">\r\n" + head + sep + body


def customer_mail(i):
    """A plain customer mail (~1 KiB) that becomes a message: the IMAP benches count rows, so
    they use these rather than the corpus, whose bounces and auto-replies store none."""
    body = f"Hello,\r\nthis is mail number {i}. " + "Where is my order? " * 40 + "\r\nAnn\r\n"
    return (f"From: Ann {i % 50} <ann{i % 50}@customer.example>\r\n"
            f"To: support@example.com\r\nSubject: Question {i}\r\n"
            f"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <mail-{i}@customer.example>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + body).encode()


def load_corpus(paths):
    return [open(os.path.join(path, n), "rb").read() for path in paths
            for n in sorted(os.listdir(path)) if n.endswith(".eml")]


def bench_webhook(args, work, corpus):
    gateway = Gateway(args, os.path.join(work, "webhook")).start()
    rounds = int(os.environ.get("WEBHOOK_ROUNDS", "3"))
    connections = int(os.environ.get("CONNECTIONS", "4"))
    bodies = [with_message_id(m, f"bench-{r}-{i}@bench.example")
              for r in range(rounds) for i, m in enumerate(corpus)]
    chunks = [bodies[i::connections] for i in range(connections)]

    def post_all(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=120)
        ok = 0
        for body in chunk:
            conn.request("POST", "/channels/email/inbound", body,
                         {"Content-Type": "message/rfc822", "Authorization": f"Bearer {SECRET}"})
            response = conn.getresponse()
            answer = response.read()
            if response.status != 200:
                raise SystemExit(f"webhook answered {response.status}: {answer[:300]!r} to "
                                 f"{body[:300]!r}")
            ok += answer.startswith(b"stored")  # not bounces and auto-replies: no message
        conn.close()
        return ok

    # One round first, not timed: the first mails load iconv converters, GMime's tables and
    # SQLite's pages; the timed rounds see a warm gateway, as a running one is.
    warm_up = [with_message_id(m, f"warm-{i}@bench.example") for i, m in enumerate(corpus)]
    warm_stored = post_all(warm_up)
    with concurrent.futures.ThreadPoolExecutor(connections) as pool:
        t0 = time.monotonic()
        acknowledged_as_stored = sum(pool.map(post_all, chunks)) + warm_stored
        elapsed = time.monotonic() - t0
    stored = gateway.stored()
    gateway.stop()
    if stored != acknowledged_as_stored:
        raise SystemExit(f"webhook: {acknowledged_as_stored} acknowledged as stored, {stored} in "
                         "the database")
    # Every post counts: bounces and auto-replies are read and answered as well.
    rate = len(bodies) / elapsed
    print(f"webhook: {len(bodies)} mails ({len(corpus)} corpus mails x {rounds}; {stored} stored "
          f"as messages, the rest bounces and auto-replies) in {elapsed:.2f} s: {rate:.0f} "
          f"mails/s over {connections} connections")
    return {"webhook_per_s": rate, "webhook_mails": len(bodies)}


def bench_idle(args, work):
    count = int(os.environ.get("MAILS_IDLE", "100"))
    with mail_servers.Dovecot({USER: PASSWORD}) as dovecot:
        gateway = Gateway(args, os.path.join(work, "idle"), dovecot).start()
        time.sleep(1.5)  # the watcher logs in and enters IDLE
        latencies = []
        for i in range(count):
            dovecot.append(USER, customer_mail(i))
            t0 = time.monotonic()
            while gateway.stored() < i + 1:
                if time.monotonic() - t0 > 30:
                    raise SystemExit(f"idle: mail {i} not stored within 30 s")
                time.sleep(0.005)
            latencies.append(time.monotonic() - t0)
        gateway.stop()
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    print(f"IDLE arrival → stored over {count} mails: p50 {p50 * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    return {"idle_p50_ms": p50 * 1000, "idle_p99_ms": p99 * 1000}


def bench_import(args, work):
    total = int(os.environ.get("IMPORT", "10000"))
    with mail_servers.Dovecot({USER: PASSWORD}) as dovecot:
        t_fill = time.monotonic()
        dovecot.append_many(USER, [customer_mail(i) for i in range(total)])
        print(f"import: {total} mails appended to Dovecot in {time.monotonic() - t_fill:.1f} s")
        gateway = Gateway(args, os.path.join(work, "import"), dovecot)
        t0 = time.monotonic()
        gateway.start()
        while gateway.stored() < total // 2:
            time.sleep(0.02)
        gateway.kill()
        killed_at = gateway.stored()
        gateway.start()
        while gateway.stored() < total:
            if time.monotonic() - t0 > 600:
                raise SystemExit(f"import: {gateway.stored()} of {total} after 10 min")
            time.sleep(0.05)
        elapsed = time.monotonic() - t0
        rows = gateway.query("SELECT provider_message_id, COUNT(*) FROM messages "
                             "WHERE direction = 'in' GROUP BY provider_message_id")
        gateway.stop()
    doubled = sum(1 for _, n in rows if n > 1)
    missing = total - len(rows)
    print(f"import: {total} mails in {elapsed:.1f} s with a SIGKILL at {killed_at} stored; "
          f"missing {missing}, doubled {doubled}")
    if missing or doubled:
        raise SystemExit("import lost or doubled mails")
    return {"import_seconds": elapsed, "import_mails": total, "import_missing": missing,
            "import_doubled": doubled}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--omnigate", required=True)
    parser.add_argument("--plugin-dir", required=True)
    parser.add_argument("--corpus", required=True, action="append", help="repeatable")
    args = parser.parse_args()
    corpus = load_corpus(args.corpus)
    work = tempfile.mkdtemp(prefix="og-bench-email-")
    try:
        result = {}
        result.update(bench_webhook(args, work, corpus))
        result.update(bench_idle(args, work))
        result.update(bench_import(args, work))
        print("RESULT " + json.dumps(result))
    finally:
        for gateway in Gateway.running:
            if gateway.process.poll() is None:
                gateway.process.kill()
                gateway.process.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
