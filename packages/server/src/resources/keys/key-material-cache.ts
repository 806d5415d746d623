import { deserializeMaterial, type KeyMaterial } from "./key-material.js";
import type { KeyRepository, SealedKeyVersion } from "./key-repository.js";

/**
 * Opened key material, kept in memory so a hot key is not unsealed and re-parsed (an RSA
 * private key parse costs more than the signature) on every operation. An entry is tied to the
 * sealed value it came from: if the stored value ever differs (a purge and a restore, another
 * node's write), the entry is not used. Material for a version never changes otherwise, so there
 * is nothing else to invalidate. Bounded, oldest entries first out.
 */
export class KeyMaterialCache {
  readonly #entries = new Map<string, { sealed: string; material: KeyMaterial }>();

  constructor(
    private readonly keys: Pick<KeyRepository, "openMaterial">,
    private readonly capacity = 2000,
    /** Told when material leaves the cache, so copies elsewhere (signing threads) go too. */
    private readonly onForget: (material: KeyMaterial) => void = () => undefined,
  ) {}

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
    if (this.#entries.size >= this.capacity) {
      const [oldest] = this.#entries;
      if (oldest) {
        this.#entries.delete(oldest[0]);
        this.onForget(oldest[1].material);
      }
    }
    this.#entries.set(id, { sealed: sealed.materialSealed, material });
    return material;
  }

  /** Drops every version of a key (after a purge): its material should not outlive it here. */
  forgetKey(name: string): void {
    for (const [id, entry] of this.#entries) {
      if (!id.startsWith(`${name.toLowerCase()}/`)) continue;
      this.#entries.delete(id);
      this.onForget(entry.material);
    }
  }
}
