import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { chmod, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO_ROOT } from "../harness/server-process.js";
import { run } from "./support/commands.js";

const SCRIPT = join(REPO_ROOT, "scripts/test-prerequisites.mjs");

/**
 * A PATH that has every command of this machine's PATH except `hidden`: the machine as it would
 * be without those packages, with nothing else changed.
 */
async function pathWithout(dir: string, hidden: string[]): Promise<string> {
  await chmod(dir, 0o755); // another user (runuser -u nobody) looks commands up in it
  const seen = new Set<string>(hidden);
  for (const source of (process.env.PATH ?? "").split(delimiter).filter((d) => d && existsSync(d))) {
    for (const name of readdirSync(source)) {
      if (seen.has(name)) continue;
      seen.add(name);
      await symlink(join(source, name), join(dir, name));
    }
  }
  return dir;
}

/**
 * scripts/test-prerequisites.mjs, run first by `npm test`: on this machine (which has every
 * package) it passes silently; with a package missing it stops at once, naming the package and
 * the exact command that installs it, whichever reason keeps it from installing.
 */
describe("npm test's prerequisites", () => {
  let binDir: string;
  let withoutTmux: string;
  let withoutTmuxAndAptGet: string;

  before(async () => {
    binDir = await mkdtemp(join(tmpdir(), "mhsm-prereq-"));
    await chmod(binDir, 0o755);
    withoutTmux = await pathWithout(await mkdtemp(join(binDir, "a-")), ["tmux"]);
    withoutTmuxAndAptGet = await pathWithout(await mkdtemp(join(binDir, "b-")), ["tmux", "apt-get"]);
  });
  after(async () => {
    if (binDir) await rm(binDir, { recursive: true, force: true });
  });

  const runScript = (args: string[], path: string, runAs?: string) =>
    runAs
      ? run("runuser", ["-u", runAs, "--", process.execPath, SCRIPT, ...args], {
          cwd: tmpdir(),
          env: { PATH: path },
        })
      : run(process.execPath, [SCRIPT, ...args], { cwd: REPO_ROOT, env: { PATH: path } });

  it("passes, printing nothing, when everything is installed", async () => {
    const result = await runScript([], process.env.PATH ?? "");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout + result.stderr, "");
  });

  it("with --check-only, stops naming the missing package and the command that installs it", async () => {
    const result = await runScript(["--check-only"], withoutTmux);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^ {2}tmux: /m);
    assert.match(result.stderr, /apt-get update && apt-get install -y tmux'/);
    assert.doesNotMatch(result.stderr, /python3-azure|postgresql|openssl/, "only what is missing is named");
  });

  it("as root without apt-get, stops naming the package instead of installing", async (t) => {
    if (process.getuid?.() !== 0) return t.diagnostic("needs root: shown by the next test otherwise");
    const result = await runScript([], withoutTmuxAndAptGet);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no apt-get on this machine/);
    assert.match(result.stderr, /apt-get install -y tmux'/);
  });

  it("as another user, stops naming the package: installing needs root", async (t) => {
    if (process.getuid?.() !== 0) {
      const result = await runScript([], withoutTmux);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /installing them needs root/);
      return;
    }
    t.diagnostic("run as nobody (runuser)");
    const result = await runScript([], withoutTmux, "nobody");
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /installing them needs root/);
    assert.match(result.stderr, /apt-get install -y tmux'/);
  });
});
