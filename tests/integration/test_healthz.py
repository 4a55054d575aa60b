#!/usr/bin/env python3
"""GET /healthz says whether the store answers, and answers quickly either way.

Against the real binary: healthy → 200. Another process (an operator's `sqlite3` session, a
backup tool) takes the database's write lock with BEGIN EXCLUSIVE and holds it: every write of
the gateway now waits and fails, and /healthz must say so with 503 and a reason instead of
hanging or lying. Once the lock is released, /healthz is 200 again.
"""

import json
import os
import sqlite3

import harness


class HealthzTest(harness.IntegrationCase):

    def setUp(self):
        super().setUp()
        self.gateway = self.ws.start_gateway({
            "server": {"listen": "127.0.0.1:0", "worker_threads": 2},
            "storage": {"data_dir": os.path.join(self.ws.workdir, "data")},
            "log": {"level": "info"},
        })

    def healthz(self):
        status, raw = harness.http_request("GET", f"{self.gateway.url}/healthz")
        return status, json.loads(raw)

    def test_503_while_the_database_is_locked_then_200_again(self):
        harness.wait_until(lambda: self.healthz()[0] == 200, 30, "GET /healthz to answer 200")

        locker = sqlite3.connect(self.ws.database().path, isolation_level=None, timeout=10)
        self.addCleanup(locker.close)
        locker.execute("BEGIN EXCLUSIVE")
        status, body = self.healthz()
        self.assertEqual(status, 503, body)
        self.assertEqual(body["status"], "unavailable")
        self.assertIn("did not answer", body["reason"])

        locker.execute("ROLLBACK")
        status, body = harness.wait_until(lambda: (lambda r: r if r[0] == 200 else None)(
            self.healthz()), 60, "GET /healthz to answer 200 once the lock is released")
        self.assertEqual(body["status"], "ok")


if __name__ == "__main__":
    harness.main()
