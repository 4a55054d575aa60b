#!/usr/bin/env python3
"""The plugin SDK works for an integrator outside this repository (docs/plugin-guide.md).

`cmake --install <build> --component sdk` into a temporary prefix; then plugins/examples (the
C++ echo example and the plain-C echo_c example) is configured and built OUT OF TREE against
that prefix alone, through find_package(omnigate-plugin-sdk) and og_add_plugin(); both built
plugins export nothing but og_plugin_entry; the real `omnigate` binary loads both, a message is
POSTed to each, and each conversation is assigned to the online agent (REST API).

Command line: test_sdk_out_of_tree.py --omnigate PATH --plugin-dir DIR --build-dir DIR
    --cmake PATH [--generator NAME] [--c-compiler PATH] [--cxx-compiler PATH] [--ccache PATH]
"""

import argparse
import os
import subprocess
import sys

import harness

SUPERVISOR_TOKEN = "sup-token-sdk-oot-0123456789abcdef"
ALICE_TOKEN = "alice-token-sdk-oot-0123456789abcdef"


class Options:
    build_dir = None
    cmake = None
    generator = None
    c_compiler = None
    cxx_compiler = None
    ccache = None


class SdkOutOfTreeTest(harness.IntegrationCase):

    def run_step(self, what, command, env=None):
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
        if result.returncode != 0:
            self.fail(f"{what} failed ({result.returncode}): {' '.join(command)}\n"
                      f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        return result

    def install_sdk(self):
        prefix = os.path.join(self.ws.workdir, "sdk")
        self.run_step("cmake --install of the sdk component",
                      [Options.cmake, "--install", Options.build_dir, "--component", "sdk",
                       "--prefix", prefix])
        for header in ("plugin_abi.h", "plugin.hpp", "common/form.hpp",
                       "common/twilio_signature.hpp", "common/json_object_writer.hpp",
                       "testing/fake_host.hpp"):
            self.assertTrue(os.path.isfile(os.path.join(prefix, "include", "omnigate", header)),
                            header)
        self.assertTrue(os.path.isfile(
            os.path.join(prefix, "lib", "pkgconfig", "omnigate-plugin-sdk.pc")))
        # Nothing of the gateway comes with the SDK.
        self.assertFalse(os.path.exists(os.path.join(prefix, "bin")))
        return prefix

    def build_examples(self, prefix):
        """Configures and builds plugins/examples against `prefix` only; returns the build dir."""
        build = os.path.join(self.ws.workdir, "examples-build")
        env = dict(os.environ)
        configure = [Options.cmake, "-S", os.path.join(harness.REPO, "plugins", "examples"),
                     "-B", build, f"-DCMAKE_PREFIX_PATH={prefix}",
                     "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                     # only the SDK: no package registry, no system-wide omnigate
                     "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF",
                     "-DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF"]
        if Options.generator:
            configure += ["-G", Options.generator]
        if Options.c_compiler:
            configure.append(f"-DCMAKE_C_COMPILER={Options.c_compiler}")
        if Options.cxx_compiler:
            configure.append(f"-DCMAKE_CXX_COMPILER={Options.cxx_compiler}")
        if Options.ccache:
            configure += [f"-DCMAKE_C_COMPILER_LAUNCHER={Options.ccache}",
                          f"-DCMAKE_CXX_COMPILER_LAUNCHER={Options.ccache}"]
            # Every run builds in a new temp dir: hash paths below it relatively (and not the
            # working directory), so a rerun hits the cache.
            env["CCACHE_BASEDIR"] = self.ws.workdir
            env["CCACHE_NOHASHDIR"] = "1"
        self.run_step("configuring plugins/examples against the installed SDK", configure, env)
        self.run_step("building plugins/examples", [Options.cmake, "--build", build], env)
        return build

    def exported(self, path):
        result = self.run_step("nm", ["nm", "-D", "--defined-only", path])
        return sorted(line.split()[-1] for line in result.stdout.splitlines() if line.strip())

    def config(self, echo, echo_c):
        return {
            "server": {"listen": "127.0.0.1:0", "worker_threads": 2},
            "storage": {"data_dir": os.path.join(self.ws.workdir, "data")},
            "log": {"level": "info"},
            "plugins": [{"instance": "echo", "file": echo},
                        {"instance": "echo_c", "file": echo_c}],
            "agents": [{"id": "alice", "display_name": "Alice", "team": "support",
                        "capacity": {"sms": 5}, "presence": "online"}],
            "users": [harness.user("sam", "supervisor", SUPERVISOR_TOKEN),
                      harness.user("alice", "agent", ALICE_TOKEN, agent_id="alice")],
        }

    def post(self, gateway, instance, sender, message_id, text):
        status, body = harness.http_request(
            "POST", f"{gateway.url}/channels/{instance}/messages", text.encode(),
            {"Content-Type": "text/plain", "X-Echo-From": sender,
             "X-Echo-Message-Id": message_id})
        self.assertEqual((status, body), (200, b"stored\n"), instance)

    def test_examples_built_against_the_installed_sdk_are_loaded_and_routed(self):
        prefix = self.install_sdk()
        build = self.build_examples(prefix)
        echo = os.path.join(build, "echo", "libog_echo.so")
        echo_c = os.path.join(build, "echo_c", "libog_echo_c.so")
        for plugin in (echo, echo_c):
            self.assertEqual(self.exported(plugin), ["og_plugin_entry"], plugin)
        # The C example is C: no C++ runtime in it.
        needed = self.run_step("readelf", ["readelf", "-d", echo_c]).stdout
        self.assertNotIn("libstdc++", needed)

        gateway = self.ws.start_gateway(self.config(echo, echo_c))
        self.post(gateway, "echo", "visitor-cpp", "cpp-1", "hello from C++")
        self.post(gateway, "echo_c", "visitor-c", "c-1", "hello from C")

        def assigned():
            conversations = gateway.conversations(SUPERVISOR_TOKEN)
            by_instance = {c["channel_instance"]: c for c in conversations
                           if c["assigned_agent"] == "alice"}
            return by_instance if set(by_instance) == {"echo", "echo_c"} else None

        by_instance = harness.wait_until(assigned, 30,
                                         "both example conversations assigned to alice")
        self.assertEqual(by_instance["echo"]["channel_kind"], "echo")
        self.assertEqual(by_instance["echo_c"]["channel_kind"], "echo_c")
        for instance, text in (("echo", "hello from C++"), ("echo_c", "hello from C")):
            transcript = gateway.transcript(SUPERVISOR_TOKEN, by_instance[instance]["id"])
            texts = [e["message"]["body_text"] for e in transcript if e["type"] == "message"]
            self.assertIn(text, texts, instance)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--cmake", required=True)
    parser.add_argument("--generator")
    parser.add_argument("--c-compiler")
    parser.add_argument("--cxx-compiler")
    parser.add_argument("--ccache")
    options, rest = parser.parse_known_args()
    for name in ("build_dir", "cmake", "generator", "c_compiler", "cxx_compiler", "ccache"):
        setattr(Options, name, getattr(options, name) or None)
    sys.argv = [sys.argv[0], *rest]
    harness.main()
