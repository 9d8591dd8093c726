#!/usr/bin/env node
// A native-solc-compatible front end for solcjs (the npm package `solc`).
//
// py-solc-x and ape-solidity drive a native `solc` binary. Bare `solcjs --standard-json` cannot
// stand in for it: it prints an SMT warning line on stdout before the JSON and has no import
// callback. This shim answers `--version` in native format and compiles standard JSON from stdin,
// resolving imports from --base-path, --include-path, --allow-paths and node_modules.
"use strict";
const fs = require("fs");
const path = require("path");

const solc = require("solc");

function parseArgs(argv) {
  const opts = { standardJson: false, version: false, roots: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case "--version":
        opts.version = true;
        break;
      case "--standard-json":
        opts.standardJson = true;
        break;
      case "--base-path":
      case "--include-path":
        opts.roots.push(value());
        break;
      case "--allow-paths":
        opts.roots.push(...value().split(",").filter(Boolean));
        break;
      default:
        break; // native flags with no meaning here (e.g. --no-import-callback) are ignored
    }
  }
  return opts;
}

function nodeModulesRoots() {
  // node_modules of the working directory and of every folder above this script.
  const roots = [path.join(process.cwd(), "node_modules")];
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    roots.push(path.join(dir, "node_modules"));
    if (path.dirname(dir) === dir) break;
  }
  return roots;
}

function makeImportCallback(roots) {
  const searchRoots = [process.cwd(), ...roots, ...nodeModulesRoots()];
  return (importPath) => {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : searchRoots.map((root) => path.resolve(root, importPath));
    for (const candidate of candidates) {
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
        return { contents: fs.readFileSync(candidate, "utf8") };
      }
    }
    return { error: `File not found: ${importPath}` };
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.version) {
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return;
  }
  if (!opts.standardJson) {
    process.stderr.write("This solc front end only supports --version and --standard-json.\n");
    process.exit(1);
  }
  const input = fs.readFileSync(0, "utf8");
  const output = solc.compile(input, { import: makeImportCallback(opts.roots) });
  process.stdout.write(output + "\n");
}

main();
