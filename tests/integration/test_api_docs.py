#!/usr/bin/env python3
"""docs/api.md documents every route the gateway serves (issue 18, check 5).

The real binary's route table (GET /api/v1/admin/routes, admin token) against the text of
docs/api.md. The test fails naming every route (method and pattern) the document does not
mention. The matching rule, applied to each line of the document:

  - the route's path is written relative to the API's base path (`/api/v1` dropped: the
    document says "Base path `/api/v1`" once) or in full; routes outside it (`/healthz`) in full;
  - the method and the path appear together on one line, the method right before the path
    (`GET /conversations/{id}`), possibly in a list of methods (`GET/POST /auth/tokens`), the
    path ending at a space, backtick, `?`, comma, parenthesis or the end of the line — so
    `/conversations/{id}` does not count for `/conversations/{id}/reply`;
  - path parameters match whatever their name (`{id}` in the code, `{name}` in the text);
  - a channel plugin's route (access rule `plugin`, under `/channels/<instance>/`) depends on
    the configured instances and is its plugin's contract: it counts as documented by the
    document's `/channels/<instance>/...` entry, which must be there.

Prose, tables and headings all count: a route named only in the Roles table is mentioned,
though the test cannot judge how well; routes described in no section are what it finds.
"""

import os
import re
import unittest

import harness

ADMIN_TOKEN = "api-docs-admin-token-0123456789abcdef"
API_DOC = os.path.join(harness.REPO, "docs", "api.md")
BASE = "/api/v1"
PARAM = re.compile(r"\{[^}/]*\}")
PLUGIN_ENTRY = "/channels/<instance>/..."


def normalised(path):
    """The path with every {parameter} as {} (the name does not matter)."""
    return PARAM.sub("{}", path)


def documented_pairs(text):
    """Every (method, path) the text writes as `METHOD /path`, paths normalised, the base path
    dropped where it is written out."""
    pairs = set()
    mention = re.compile(r"(?<![A-Za-z])((?:[A-Z]{3,7}/)*[A-Z]{3,7})\s+(/[^\s`?,)]*)")
    for line in text.splitlines():
        for methods, path in mention.findall(line):
            if path.startswith(BASE + "/"):
                path = path[len(BASE):]
            for method in methods.split("/"):
                pairs.add((method, normalised(path)))
    return pairs


class ApiDocsTest(harness.IntegrationCase):

    def test_every_route_is_in_docs_api_md(self):
        config = harness.echo_config(self.ws.workdir,
                                     users=[harness.user("ada", "admin", ADMIN_TOKEN)])
        # The console's routes exist only where its files are: the source tree's always are.
        config["server"]["console_dir"] = os.path.join(harness.REPO, "web", "console")
        gateway = self.ws.start_gateway(config)
        routes = gateway.api_ok("GET", "/admin/routes", ADMIN_TOKEN)["routes"]
        with open(API_DOC, encoding="utf-8") as f:
            text = f.read()
        pairs = documented_pairs(text)

        # The matcher itself: routes the document is known to name are found, a near miss is not.
        self.assertIn(("GET", "/conversations/{}"), pairs)
        self.assertIn(("POST", "/auth/tokens"), pairs)  # from `GET/POST /auth/tokens`
        self.assertNotIn(("GET", "/conversations/{}/nothing-like-this"), pairs)

        missing = []
        plugin_routes = 0
        for route in routes:
            method, pattern = route["method"], route["pattern"]
            if route["access"] == "plugin":
                plugin_routes += 1
                continue
            path = pattern[len(BASE):] if pattern.startswith(BASE + "/") else pattern
            if (method, normalised(path)) not in pairs:
                missing.append(f"{method} {pattern}")
        if plugin_routes:
            self.assertIn(PLUGIN_ENTRY, text,
                          "the plugins' routes are documented by that entry; it is gone")
        self.assertGreater(len(routes), 50, "the route table is the real one")
        self.assertEqual(missing, [], f"{len(missing)} of {len(routes)} routes are not in "
                         f"docs/api.md (as `METHOD /path`):\n  " + "\n  ".join(missing))


if __name__ == "__main__":
    harness.main()
