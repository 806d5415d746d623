import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SIGNING_KEY_META } from "../resources/identity/signing-key.js";
import type { HsmStore } from "./hsm-store.js";
import { Barrier } from "../platform/barrier/barrier.js";

const MIGRATED_META = "barrier.nodeKey";
const LEGACY_SIGNING_KEY_META = "idp.signingKey";
const TLS_KEYS = [
  ["tls/ca.key.sealed", "tls/ca.key"],
  ["tls/server.key.sealed", "tls/server.key"],
] as const;

/**
 * Before the node key, the domain key sealed everything, including what now belongs under the
 * node key: the TLS private keys, the identity provider's signing key and principals' secret
 * hashes. On the first start with the node key this re-seals them, once (a marker in the store
 * says it is done). Each step opens with the node key first, so a start that stopped half way
 * simply finishes the job. A data directory that never had anything to move gets the marker.
 */
export async function resealUnderNodeKey(options: {
  store: Pick<HsmStore, "meta" | "principals">;
  dataDir: string;
  node: Barrier;
  /** The domain key from its file; old data directories always have one. */
  domainKey: Buffer | undefined;
}): Promise<void> {
  const { store, dataDir, node } = options;
  if (await store.meta.get(MIGRATED_META)) return;
  const legacySigningKey = await store.meta.get(LEGACY_SIGNING_KEY_META);
  if (legacySigningKey) {
    if (!options.domainKey) {
      throw new Error(
        "this data directory predates the node key and its domain key file is missing: it cannot be migrated",
      );
    }
    const domain = Barrier.fromDomainKey(options.domainKey);
    if (!(await store.meta.get(SIGNING_KEY_META))) {
      const pem = domain.openString(legacySigningKey, LEGACY_SIGNING_KEY_META);
      await store.meta.getOrInsert(SIGNING_KEY_META, node.seal(pem, SIGNING_KEY_META));
    }
    for (const [file, identity] of TLS_KEYS) await resealFile(join(dataDir, file), identity, domain, node);
    await store.principals.resealFrom(domain);
  }
  await store.meta.getOrInsert(MIGRATED_META, "v1");
}

async function resealFile(path: string, identity: string, from: Barrier, to: Barrier): Promise<void> {
  let sealed: string;
  try {
    sealed = (await readFile(path, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    to.open(sealed, identity);
    return;
  } catch {
    // Still under the domain key.
  }
  // Write beside, then rename: a crash never leaves a half-written key file.
  await writeFile(`${path}.new`, `${to.seal(from.open(sealed, identity), identity)}\n`, { mode: 0o600 });
  await rename(`${path}.new`, path);
}
