import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Barrier } from "../barrier/barrier.js";
import { loadServerTls } from "./server-tls.js";

/** How many certificates OpenSSL finds in a PEM bundle: the independent reader of the file. */
function certificatesIn(bundle: string): number {
  const output = execFileSync("openssl", ["storeutl", "-noout", "-certs", bundle], { encoding: "utf8" });
  return Number(/Total found: (\d+)/.exec(output)?.[1] ?? 0);
}

describe("the local CA's files", () => {
  let dir: string;
  const barrier = Barrier.fromNodeKey(randomBytes(32));
  const load = () => loadServerTls({ dataDir: dir, hsmName: "mhsm", names: [], barrier });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-tls-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("ends ca.pem with a newline, so concatenating it into a CA bundle gives a valid bundle", async () => {
    const tls = await load();
    const ca = await readFile(tls.caFile as string, "utf8");
    assert.ok(ca.endsWith("\n"));
    const bundle = join(dir, "bundle.pem");
    await writeFile(bundle, ca + (await readFile(join(dir, "tls", "server.pem"), "utf8")) + ca);
    assert.equal(certificatesIn(bundle), 3);
  });

  it("adds the newline to a ca.pem written without one, keeping the same certificate", async () => {
    const caFile = join(dir, "tls", "ca.pem");
    const before = await readFile(caFile, "utf8");
    await writeFile(caFile, before.trimEnd());
    await load();
    assert.equal(await readFile(caFile, "utf8"), `${before.trimEnd()}\n`);
  });
});
