"""The admin commands of the real `omnigate` binary (python3 stdlib only): agents add|set|remove,
users add|remove, customers show|set-tier, against a database in a temporary directory; a token
printed by `users add` authenticates on a running gateway and stops at `users remove`.

Usage: test_admin_cli.py PATH_TO_OMNIGATE
"""

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

OMNIGATE = None


class AdminCli(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="og-admin-cli-")
        self.config = os.path.join(self.dir.name, "omnigate.toml")
        with open(self.config, "w") as f:
            f.write('[server]\nlisten = "127.0.0.1:0"\n[storage]\ndata_dir = "data"\n')
        self.db = os.path.join(self.dir.name, "data", "omnigate.db")
        self.gateway = None

    def tearDown(self):
        if self.gateway:
            self.gateway.terminate()
            self.gateway.wait(timeout=30)
        self.dir.cleanup()

    def run_cli(self, *args, expect=0):
        r = subprocess.run([OMNIGATE, *args[:2], "--config", self.config, *args[2:]],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, expect, f"{args}: {r.stdout}{r.stderr}")
        return r

    def agent_row(self, agent_id):
        with sqlite3.connect(self.db) as db:
            return db.execute("SELECT team, skills_json, tiers_json, capacity_json FROM agents "
                              "WHERE id = ?", (agent_id,)).fetchone()

    def start_gateway(self):
        port_file = os.path.join(self.dir.name, "port")
        self.gateway = subprocess.Popen(
            [OMNIGATE, "serve", "--config", self.config, "--port-file", port_file],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file):
            self.assertIsNone(self.gateway.poll(), "the gateway exited during start-up")
            self.assertLess(time.monotonic(), deadline, "the gateway did not start")
            time.sleep(0.05)
        with open(port_file) as f:
            return int(f.read())

    def get(self, port, path, token):
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def test_agents_add_set_remove(self):
        self.run_cli("agents", "add", "carol", "--display-name", "Carol", "--team", "billing",
                     "--skills", "sms:4,email:2", "--tiers", "A,B", "--capacity", "sms:3,total:5")
        team, skills, tiers, capacity = self.agent_row("carol")
        self.assertEqual(team, "billing")
        self.assertEqual(json.loads(skills), [{"skill": "sms", "level": 4},
                                              {"skill": "email", "level": 2}])
        self.assertEqual(json.loads(tiers), ["A", "B"])
        self.assertEqual(json.loads(capacity), {"sms": 3, "total": 5})
        listed = self.run_cli("agents", "list").stdout
        self.assertIn("carol", listed)
        self.assertIn("SIGHUP", self.run_cli("agents", "set", "carol", "--team", "support").stdout)
        team, skills, _, _ = self.agent_row("carol")
        self.assertEqual(team, "support")
        self.assertIn("sms", skills, "set keeps what no option names")

        bad = self.run_cli("agents", "add", "dave", "--skills", "sms:9", expect=2)
        self.assertIn("skills[0].level", bad.stderr)
        self.run_cli("agents", "add", "carol", expect=1)
        self.run_cli("agents", "set", "nobody", "--team", "x", expect=1)

        self.run_cli("users", "add", "carol", "--role", "agent", "--agent", "carol")
        refused = self.run_cli("agents", "remove", "carol", expect=1)
        self.assertIn("users remove carol", refused.stderr)
        self.run_cli("users", "remove", "carol")
        self.run_cli("agents", "remove", "carol")
        self.assertIsNone(self.agent_row("carol"))

    def test_users_add_prints_a_token_that_authenticates_until_removed(self):
        out = self.run_cli("users", "add", "sam", "--role", "supervisor").stdout
        tokens = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("token: ")]
        self.assertEqual(len(tokens), 1, out)
        token = tokens[0]
        self.assertEqual(len(token), 64)
        with sqlite3.connect(self.db) as db:
            stored = [row[0] for row in db.execute("SELECT sha256 FROM tokens")]
        self.assertNotIn(token, stored, "only the digest is stored")
        self.run_cli("users", "add", "sam", "--role", "qa", expect=1)
        self.run_cli("users", "add", "al", "--role", "agent", expect=2)

        port = self.start_gateway()
        status, me = self.get(port, "/api/v1/me", token)
        self.assertEqual((status, me["name"], me["role"]), (200, "sam", "supervisor"))
        self.run_cli("users", "remove", "sam")
        status, _ = self.get(port, "/api/v1/me", token)
        self.assertEqual(status, 401)
        self.run_cli("users", "remove", "sam", expect=1)

    def test_customers_show_and_set_tier(self):
        self.run_cli("migrate")
        with sqlite3.connect(self.db) as db:
            customer = db.execute("INSERT INTO customers(display_name, created_at) "
                                  "VALUES ('Kim', 0)").lastrowid
        self.run_cli("agents", "add", "kim")
        out = self.run_cli("customers", "set-tier", str(customer), "A", "--account-team",
                           "key_accounts", "--account-manager", "kim").stdout
        self.assertIn("tier C -> A", out)
        shown = json.loads(self.run_cli("customers", "show", str(customer)).stdout)
        self.assertEqual(shown["tier"], "A")
        self.assertEqual(shown["tier_source"], "manual")
        self.assertEqual(shown["account_team"], "key_accounts")
        self.assertEqual(shown["account_manager"], "kim")
        self.run_cli("customers", "set-tier", str(customer), "Z", expect=2)
        self.run_cli("customers", "set-tier", str(customer), "B", "--account-manager", "nobody",
                     expect=1)
        self.run_cli("customers", "show", "999", expect=1)
        self.run_cli("customers", "show", "x", expect=2)


if __name__ == "__main__":
    OMNIGATE = sys.argv.pop(1)
    unittest.main()
