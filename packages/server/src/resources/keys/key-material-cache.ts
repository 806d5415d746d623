import { MemoryBoundedCache } from "../../platform/cache/memory-bounded-cache.js";
import { deserializeMaterial, type KeyMaterial } from "./key-material.js";
import type { KeyRepository, SealedKeyVersion } from "./key-repository.js";

/**
 * What an opened key holds in memory, estimated: OpenSSL's parsed private and public key
 * (measured with node:crypto on x64, after a first signature: an EC P-256 pair about 4 KB,
 * RSA-2048 about 7.7 KB, RSA-4096 about 12.5 KB, which is 3 KB plus four times the PKCS#8 DER
 * length within a few percent), the sealed value kept to compare with, and the entry itself.
 */
export function estimatedEntryBytes(materialLength: number, sealedLength: number): number {
  return 3200 + 4 * materialLength + sealedLength;
}

/**
 * Opened key material, kept in memory so a hot key is not unsealed and re-parsed (an RSA
 * private key parse costs more than the signature) on every operation. An entry is tied to the
 * sealed value it came from: if the stored value ever differs (a purge and a restore, another
 * node's write), the entry is not used. Material for a version never changes otherwise, so there
 * is nothing else to invalidate. Bounded by memory (`maxBytes`), least recently used out first,
 * so a working set of tens of thousands of keys stays opened on an ordinary server.
 */
export class KeyMaterialCache {
  readonly #entries: MemoryBoundedCache<string, { sealed: string; material: KeyMaterial }>;

  constructor(
    private readonly keys: Pick<KeyRepository, "openMaterial">,
    maxBytes: number,
    /** Told when material leaves the cache, so copies elsewhere (signing threads) go too. */
    private readonly onForget: (material: KeyMaterial) => void = () => undefined,
    /** Told when a key is purged (forgetKey), so its token objects go too (--hsm-backend pkcs11). */
    private readonly onPurged: (name: string) => void = () => undefined,
  ) {
    this.#entries = new MemoryBoundedCache(maxBytes, (_id, entry) => onForget(entry.material));
  }

  materialOf(sealed: SealedKeyVersion): KeyMaterial {
    const { version } = sealed;
    // Names are case-insensitive: one entry per version whichever spelling found it.
    const id = `${version.name.toLowerCase()}/${version.version}`;
    const cached = this.#entries.get(id);
    if (cached && cached.sealed === sealed.materialSealed) return cached.material;
    if (cached) this.onForget(cached.material);
    const bytes = this.keys.openMaterial(version, sealed.materialSealed);
    let material: KeyMaterial;
    try {
      material = deserializeMaterial(version.shape.kty, bytes);
    } finally {
      bytes.fill(0);
    }
    const size = estimatedEntryBytes(bytes.length, sealed.materialSealed.length);
    this.#entries.set(id, { sealed: sealed.materialSealed, material }, size);
    return material;
  }

  /** Drops every version of a key (after a purge): its material should not outlive it here. */
  forgetKey(name: string): void {
    this.onPurged(name);
    const prefix = `${name.toLowerCase()}/`;
    for (const id of [...this.#entries.keys()]) {
      if (!id.startsWith(prefix)) continue;
      const entry = this.#entries.remove(id);
      if (entry) this.onForget(entry.material);
    }
  }
}
