import { randomBytes } from "node:crypto";
import type { MetaRepository } from "../store/meta-repository.js";
import { Barrier, BarrierError } from "./barrier.js";
import { KEY_FILE_BYTES, readKeyFile, writeKeyFile } from "./key-file.js";

/**
 * The node key (<data-dir>/node.key, owner-only) seals what the server needs before it has a
 * domain key: TLS private keys, the identity provider's signing key and principals' secret
 * hashes (barrier.ts). It never seals HSM contents, so the data directory of a sealed HSM
 * reveals no key material, node.key included.
 *
 * Nodes that share one database must share it, since the signing key and the secret hashes it
 * seals live in that database. So the store also keeps the node key **escrowed under the domain
 * key**: a new node given only the domain key file (as nodes always were) takes the node key
 * from there on its first start. That escrow reveals nothing to anyone without the domain key,
 * and whoever has the domain key can read every key anyway.
 *
 * File format: one line "mhsm-node-key v1 <base64 of 32 bytes>".
 */
const HEADER = "mhsm-node-key v1 ";
const ESCROW_META = "barrier.nodeKeyEscrow";

/** Not a Key Vault answer: the node key is missing or does not fit the store, found at start-up. */
export class NodeKeyError extends Error {}

/**
 * node.key; else, with the domain key, the store's escrow (made now if there is none: the store
 * decides, so nodes starting at once on a new database agree on one key); else a new node key.
 * Written to node.key, so a later start needs no domain key for it.
 */
export async function loadNodeKey(options: {
  file: string;
  meta: MetaRepository;
  domainKey: Buffer | undefined;
}): Promise<Buffer> {
  const existing = await readKeyFile(options.file, HEADER, "node key");
  if (existing) return existing;
  let key: Buffer = randomBytes(KEY_FILE_BYTES);
  if (options.domainKey) {
    const domain = Barrier.fromDomainKey(options.domainKey);
    const stored = await options.meta.getOrInsert(ESCROW_META, domain.seal(key, ESCROW_META));
    try {
      key = domain.open(stored, ESCROW_META);
    } catch (error) {
      if (!(error instanceof BarrierError)) throw error;
      throw new NodeKeyError(
        "the store belongs to another domain key than this node's domain.key: nodes that share a database share the domain key",
      );
    }
  }
  await writeKeyFile(options.file, HEADER, key);
  return key;
}

/**
 * Refuses a node key that cannot open the store's secrets (a node on a shared database that got
 * neither node.key nor the domain key), with a message that says what to do, before anything
 * fails less clearly. `probe` names a meta record sealed under the node key (the identity
 * provider's signing key), if the store has one yet.
 */
export async function checkNodeKeyFitsStore(
  meta: MetaRepository,
  node: Barrier,
  file: string,
  probe: string,
): Promise<void> {
  const sealed = await meta.get(probe);
  if (!sealed) return;
  try {
    node.open(sealed, probe);
  } catch (error) {
    if (!(error instanceof BarrierError)) throw error;
    throw new NodeKeyError(
      `${file} does not open this store's secrets: nodes that share a database must share node.key (copy it from a node of this HSM, or give this node the HSM's domain.key so it takes the node key from the store)`,
    );
  }
}

/** Escrows the node key under the domain key (once per store; at start or at activation). */
export async function escrowNodeKey(meta: MetaRepository, nodeKey: Buffer, domainKey: Buffer): Promise<void> {
  const domain = Barrier.fromDomainKey(domainKey);
  const stored = await meta.getOrInsert(ESCROW_META, domain.seal(nodeKey, ESCROW_META));
  let escrowed: Buffer | undefined;
  try {
    escrowed = domain.open(stored, ESCROW_META);
  } catch {
    escrowed = undefined;
  }
  if (!escrowed?.equals(nodeKey)) {
    throw new NodeKeyError(
      "this node's node.key differs from the node key of the other nodes on this database: copy node.key from one of them",
    );
  }
}
