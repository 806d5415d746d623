import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { verifyClientSecret } from "../resources/identity/client-secret-hash.js";
import { PrincipalService } from "../resources/identity/principal-service.js";
import { loadOrCreateSigningKey } from "../resources/identity/signing-key.js";
import { MetaRepository } from "../platform/store/meta-repository.js";
import { PrincipalRepository } from "../resources/identity/principal-repository.js";
import { openSqliteDatabase } from "../platform/store/sqlite-database.js";
import { openHsmStore } from "./hsm-store.js";
import { Barrier } from "../platform/barrier/barrier.js";
import { resealUnderNodeKey } from "./node-key-migration.js";

/**
 * A data directory laid out as before the node key (everything sealed under the domain key),
 * then opened with a node key: the TLS keys, the signing key and the secret hashes move under
 * the node key, once, and everything still opens.
 */
describe("node key migration of older data directories", () => {
  let dir: string;
  const domainKey = randomBytes(32);
  const domain = Barrier.fromDomainKey(domainKey);
  const node = Barrier.fromNodeKey(randomBytes(32));
  const signingPem = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
  let principal: { clientId: string; clientSecret: string; objectId: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-migration-"));
    // The old layout: one barrier (the domain key's) for everything.
    const old = await openHsmStore(openSqliteDatabase(join(dir, "mhsm.db")), domain);
    principal = await new PrincipalService(old).create("old-admin");
    await old.meta.getOrInsert("idp.signingKey", domain.seal(signingPem, "idp.signingKey"));
    await old.close();
    await mkdir(join(dir, "tls"));
    await writeFile(join(dir, "tls/ca.key.sealed"), `${domain.seal("ca private key", "tls/ca.key")}\n`);
    await writeFile(
      join(dir, "tls/server.key.sealed"),
      `${domain.seal("server private key", "tls/server.key")}\n`,
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** The repositories the migration touches, principals under the node barrier (as server.ts wires them). */
  const openStore = () => {
    const db = openSqliteDatabase(join(dir, "mhsm.db"));
    return {
      meta: new MetaRepository(db),
      principals: new PrincipalRepository(db, node, domain),
      close: () => db.destroy(),
    };
  };

  it("re-seals the signing key, TLS keys and secret hashes under the node key", async () => {
    const store = openStore();
    try {
      await resealUnderNodeKey({ store, dataDir: dir, node, domainKey });
      const signingKey = await loadOrCreateSigningKey(store.meta, node);
      // The old key, re-sealed: tokens it signed before stay valid.
      assert.equal(signingKey.publicJwk.n, createPublicKey(signingPem).export({ format: "jwk" }).n);
      const again = await loadOrCreateSigningKey(store.meta, node);
      assert.equal(again.kid, signingKey.kid, "the same key, not a new one");
      const caKey = (await readFile(join(dir, "tls/ca.key.sealed"), "utf8")).trim();
      assert.equal(node.openString(caKey, "tls/ca.key"), "ca private key");
      assert.throws(() => domain.open(caKey, "tls/ca.key"));
      const serverKey = (await readFile(join(dir, "tls/server.key.sealed"), "utf8")).trim();
      assert.equal(node.openString(serverKey, "tls/server.key"), "server private key");
      const stored = await store.principals.findByClientId(principal.clientId);
      assert.equal(stored?.objectId, principal.objectId);
      assert.ok(
        await verifyClientSecret(principal.clientSecret, stored?.secretHash ?? ""),
        "the old secret still signs in",
      );
    } finally {
      await store.close();
    }
  });

  it("is done once, and a second start changes nothing", async () => {
    const before = await readFile(join(dir, "tls/ca.key.sealed"), "utf8");
    const store = openStore();
    try {
      await resealUnderNodeKey({ store, dataDir: dir, node, domainKey });
      assert.equal(await readFile(join(dir, "tls/ca.key.sealed"), "utf8"), before);
      assert.equal(await store.meta.get("barrier.nodeKey"), "v1");
    } finally {
      await store.close();
    }
  });

  it("marks a new data directory without needing a domain key", async () => {
    const fresh = await mkdtemp(join(tmpdir(), "mhsm-migration-fresh-"));
    const store = await openHsmStore(openSqliteDatabase(join(fresh, "mhsm.db")), Barrier.awaitingDomainKey());
    try {
      await resealUnderNodeKey({ store, dataDir: fresh, node, domainKey: undefined });
      assert.equal(await store.meta.get("barrier.nodeKey"), "v1");
    } finally {
      await store.close();
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
