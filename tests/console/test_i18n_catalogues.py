#!/usr/bin/env python3
"""The agents' console's message catalogues (web/console/i18n/*.json) against each other and
against the page and scripts that use them.

Fails when a key is in one catalogue and not the other, when a message is empty or its
{placeholders} differ between languages, when index.html or a script uses a key no catalogue
has, or when a catalogue holds a key nothing uses. Keys in use are found as written: the
data-i18n, data-i18n-aria-label, data-i18n-placeholder and data-i18n-title attributes, and
t("key") in the scripts (web/console/js/labels.js spells out the keys of values the API sends).
"""

import json
import os
import re
import sys
import unittest

CONSOLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "web", "console")
LANGUAGES = ["en", "zh-CN"]
ATTRIBUTE_KEY = re.compile(r'data-i18n(?:-aria-label|-placeholder|-title)?="([^"]+)"')
SCRIPT_KEY = re.compile(r'\bt\(\s*"([^"]+)"')
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalogue(lang):
    with open(os.path.join(CONSOLE, "i18n", f"{lang}.json"), encoding="utf-8") as f:
        return json.load(f)


def keys_in_use():
    """{key: [file, ...]} of every key the page and the scripts use."""
    used = {}
    sources = [os.path.join(CONSOLE, "index.html")]
    scripts = os.path.join(CONSOLE, "js")
    sources += [os.path.join(scripts, n) for n in sorted(os.listdir(scripts)) if n.endswith(".js")]
    for path in sources:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for key in ATTRIBUTE_KEY.findall(text) + SCRIPT_KEY.findall(text):
            used.setdefault(key, []).append(os.path.relpath(path, CONSOLE))
    return used


class CataloguesTest(unittest.TestCase):

    def setUp(self):
        self.catalogues = {lang: catalogue(lang) for lang in LANGUAGES}

    def test_every_language_has_every_key(self):
        all_keys = set().union(*self.catalogues.values())
        for lang, messages in self.catalogues.items():
            self.assertEqual(sorted(all_keys - set(messages)), [], f"missing in {lang}.json")

    def test_messages_are_non_empty_with_the_same_placeholders(self):
        english = self.catalogues["en"]
        for lang, messages in self.catalogues.items():
            for key, text in messages.items():
                self.assertIsInstance(text, str, f"{lang}.json {key}")
                self.assertTrue(text.strip(), f"{lang}.json {key} is empty")
                if key in english:
                    self.assertEqual(sorted(PLACEHOLDER.findall(text)),
                                     sorted(PLACEHOLDER.findall(english[key])),
                                     f"{lang}.json {key}: placeholders differ from en.json")

    def test_every_key_in_use_is_in_a_catalogue(self):
        used = keys_in_use()
        self.assertGreater(len(used), 30, "the key scan found almost nothing: is it broken?")
        known = set().union(*self.catalogues.values())
        unknown = {k: files for k, files in used.items() if k not in known}
        self.assertEqual(unknown, {}, "keys used but in no catalogue")

    def test_every_catalogue_key_is_used(self):
        used = keys_in_use()
        for lang, messages in self.catalogues.items():
            self.assertEqual(sorted(set(messages) - set(used)), [], f"unused keys in {lang}.json")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
