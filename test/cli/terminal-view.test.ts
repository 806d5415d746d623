import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Azurite, startAzurite } from "../harness/azurite.js";
import { MHSM_BIN } from "../harness/server-process.js";
import { type TmuxPane, shellQuote, startTmuxPane } from "../harness/tmux.js";
import { type CliSession, startCliSession } from "./support/cli-session.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const DONE = "__mhsm_done__";
/** The escape character, written so the patterns below can say what they look for. */
const ESC = "\u001b";

/**
 * What a person sees at a terminal, under tmux: tables by default (stdout is a terminal), and
 * while a backup runs a single live progress line redrawn in place. The panes' text is compared
 * with the captures in test/cli/fixtures (MHSM_UPDATE_FIXTURES=1 rewrites them).
 */
describe("mhsm at a terminal (tmux)", () => {
  let cli: CliSession;
  let azurite: Azurite;
  let workDir: string;
  const panes: TmuxPane[] = [];

  before(async () => {
    [cli, azurite] = await Promise.all([startCliSession(), startAzurite()]);
    workDir = await mkdtemp(join(tmpdir(), "mhsm-cli-tty-"));
  });
  after(async () => {
    for (const pane of panes) await pane.kill();
    await cli?.dispose();
    await azurite?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  /** Runs `mhsm <args>` in a new pane once `start()` is called; the pane stays after it ends. */
  async function paneRunning(
    args: string[],
    size: { width: number; height: number },
    extraEnv: Record<string, string> = {},
  ) {
    const gate = join(workDir, `go-${panes.length}`);
    // The shell polls for the gate file (the test creates it with start()) so that nothing runs
    // before the test records the pane; `sleep 600` only keeps the ended pane open to be read.
    const command = [
      `while [ ! -e ${shellQuote(gate)} ]; do sleep 0.05; done`,
      [process.execPath, MHSM_BIN, ...args].map(shellQuote).join(" "),
      `echo ${DONE}`,
      "exec sleep 600",
    ].join("; ");
    const pane = await startTmuxPane({ command, ...size, env: { ...cli.env, ...extraEnv } });
    panes.push(pane);
    return { pane, start: () => writeFile(gate, "") };
  }

  it("prints a table by default, with a coloured header, also where a CI variable is set", async () => {
    // CI set: colour libraries guess "no colour" from it; a terminal is a terminal all the same.
    const { pane, start } = await paneRunning(
      ["role", "definition", "list"],
      { width: 120, height: 20 },
      { CI: "true" },
    );
    await start();
    const screen = (await pane.waitFor(DONE)).replace(`${DONE}\n`, "");
    await matchFixture("role-definition-list.tty.txt", screen);
    // cyan header cells; the colour codes never reach a pipe (other tests parse plain output).
    assert.match(
      await pane.captureWithEscapes(),
      new RegExp(`${ESC}\\[36m Name +${ESC}\\[90m│${ESC}\\[36m Role name`),
    );
  });

  it("shows one live progress line while a backup runs, then the job as a table", async () => {
    const containerUrl = await azurite.createContainer("tty-backups");
    const sasFile = join(workDir, "sas.txt");
    await writeFile(sasFile, azurite.sas("tty-backups"));
    const { pane, start } = await paneRunning(
      ["backup", "start", "--container-url", containerUrl, "--sas-token", `@${sasFile}`],
      { width: 140, height: 16 },
    );
    const raw = join(workDir, "pane.raw");
    await pane.record(raw);
    await start();
    const screen = await pane.waitFor(DONE);

    // The live line is redrawn in place: carriage return, clear line, spinner, status, time.
    const written = await readFile(raw, "utf8");
    assert.match(written, new RegExp(`\\r${ESC}\\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] backup [0-9a-f]{32}: InProgress · \\d+s`));
    // ...so the screen keeps only its last state, and no plain per-status lines.
    assert.equal(screen.match(/^backup /gm)?.length, 1, screen);
    assert.doesNotMatch(screen, /InProgress/);
    await matchFixture("backup-start.tty.txt", normalizeBackupScreen(screen.replace(`${DONE}\n`, "")));
  });

  it("asks for `--sas-token -` at the terminal without echoing it", async () => {
    const containerUrl = await azurite.createContainer("tty-prompted");
    const sas = azurite.sas("tty-prompted");
    const { pane, start } = await paneRunning(
      ["backup", "start", "--container-url", containerUrl, "--sas-token", "-", "-o", "tsv"],
      { width: 140, height: 16 },
    );
    await start();
    await pane.waitFor("--sas-token (hidden):");
    await pane.type(sas);
    const screen = await pane.waitFor(DONE);
    assert.match(screen, /^backup [0-9a-f]{32}: Succeeded after \d+s$/m);
    const signature = new URLSearchParams(sas).get("sig") as string;
    assert.ok(!screen.includes(signature.slice(0, 12)) && !screen.includes(sas.slice(0, 12)), screen);
  });
});

/** Same-length stand-ins for what differs between runs, so the table's borders still line up. */
function normalizeBackupScreen(screen: string): string {
  return screen
    .replace(/[0-9a-f]{32}/g, "j".repeat(32))
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, "YYYY-MM-DDThh:mm:ssZ")
    .replace(/127\.0\.0\.1:\d{5}/g, "127.0.0.1:PPPPP")
    .replace(/mhsm-mhsm-\d{16}/g, `mhsm-mhsm-${"N".repeat(16)}`)
    .replace(/after \d+s$/m, "after Ns");
}

async function matchFixture(name: string, actual: string): Promise<void> {
  const file = join(FIXTURES, name);
  if (process.env.MHSM_UPDATE_FIXTURES === "1" || !existsSync(file)) {
    await writeFile(file, actual);
    if (process.env.MHSM_UPDATE_FIXTURES !== "1")
      assert.fail(`wrote the missing fixture ${name}; check and commit it`);
    return;
  }
  assert.equal(actual, await readFile(file, "utf8"), `the pane differs from fixtures/${name}`);
}
