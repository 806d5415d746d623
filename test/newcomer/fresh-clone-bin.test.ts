import assert from "node:assert/strict";
import { lstat, mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO_ROOT } from "../harness/server-process.js";
import { copyTrackedFiles, describeFailure, npm, run } from "./support/commands.js";

/** Every top-level verb of the CLI: each must load and answer --help. */
const VERBS = [
  "serve",
  "migrate",
  "role",
  "key",
  "backup",
  "restore",
  "setting",
  "principal",
  "security-domain",
];

/**
 * The README's first command on a fresh clone, then `npx mhsm`. npm links a workspace's bins
 * while it installs, before the root `prepare` script builds dist/, and it does not link a bin
 * whose file is missing at that moment. The clone is made of the files git tracks; its install
 * runs with --ignore-scripts first, so the link is looked at exactly when npm makes it (before
 * any build), and then `prepare` runs as `npm install` runs it.
 */
describe("a fresh clone: npm install, then npx mhsm", { timeout: 600_000 }, () => {
  let clone: string;

  before(async () => {
    clone = await mkdtemp(join(tmpdir(), "mhsm-fresh-clone-"));
    await copyTrackedFiles(clone);
    // Cache first: every third-party package is in npm's cache once the repository was installed
    // (the registry is asked only for what is not, e.g. metadata the cache lacks).
    const install = await npm(["install", "--prefer-offline", "--ignore-scripts"], clone);
    assert.equal(install.code, 0, describeFailure("npm install", install));
  });

  after(async () => {
    if (clone) await rm(clone, { recursive: true, force: true });
  });

  it("links node_modules/.bin/mhsm while installing, before anything is built", async () => {
    const link = join(clone, "node_modules/.bin/mhsm");
    assert.ok((await lstat(link)).isSymbolicLink(), "node_modules/.bin/mhsm is not a link");
    assert.equal(await realpath(link), await realpath(join(clone, "packages/cli/bin/mhsm.js")));
  });

  it("after the install's prepare (the build), npx mhsm --version and every verb work", async () => {
    const prepare = await npm(["run", "prepare"], clone);
    assert.equal(prepare.code, 0, describeFailure("npm run prepare", prepare));

    const { version } = JSON.parse(await readFile(join(clone, "packages/cli/package.json"), "utf8")) as {
      version: string;
    };
    const shown = await run("npx", ["--no-install", "mhsm", "--version"], { cwd: clone, timeoutMs: 60_000 });
    assert.equal(shown.code, 0, describeFailure("npx mhsm --version", shown));
    assert.equal(shown.stdout.trim(), version);

    for (const verb of VERBS) {
      const help = await run("npx", ["--no-install", "mhsm", verb, "--help"], {
        cwd: clone,
        timeoutMs: 60_000,
      });
      assert.equal(help.code, 0, describeFailure(`npx mhsm ${verb} --help`, help));
      assert.match(help.stdout, new RegExp(`Usage: mhsm ${verb}`));
    }
  });
});

describe("this repository's own node_modules/.bin/mhsm", () => {
  it("runs the built CLI", async () => {
    const result = await run(join(REPO_ROOT, "node_modules/.bin/mhsm"), ["key", "--help"], {
      cwd: REPO_ROOT,
    });
    assert.equal(result.code, 0, describeFailure("node_modules/.bin/mhsm key --help", result));
    assert.match(result.stdout, /Usage: mhsm key/);
  });
});
