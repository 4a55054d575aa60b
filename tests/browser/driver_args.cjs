// Command-line arguments of the browser drivers: `--name value` pairs, each required name present.
"use strict";

function parseArgs(argv, required) {
  const args = {};
  for (let i = 2; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const name of required) {
    if (!args[name]) throw new Error(`missing --${name}`);
  }
  return args;
}

module.exports = { parseArgs };
