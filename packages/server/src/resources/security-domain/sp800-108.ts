import { createHmac } from "node:crypto";

/**
 * The key derivation of Azure's security domain (EncData `kdf` "sp108_kdf"): NIST SP 800-108
 * in counter mode with HMAC-SHA512, as the Azure CLI's security_domain/sp800_108.py has it:
 * K = HMAC-SHA512(master key, [1]₃₂ ‖ label ‖ 0x00 ‖ context ‖ [L]₃₂). A datum's key is the
 * derivation with its tag as the label, an empty context and L = 512: one HMAC block, the
 * 64 bytes an A256CBC-HS512 key needs.
 */
export const DATUM_KEY_BITS = 512;

export function sp800108CounterHmacSha512(key: Buffer, label: string, context: string, bits: number): Buffer {
  if (bits <= 0 || bits % 8 !== 0 || bits > 512) {
    throw new RangeError("this derivation yields one HMAC-SHA512 block: 8 to 512 bits, whole bytes");
  }
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(1);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bits);
  const block = createHmac("sha512", key)
    .update(counter)
    .update(label, "utf8")
    .update(Buffer.of(0))
    .update(context, "utf8")
    .update(length)
    .digest();
  if (bits === 512) return block;
  const out = Buffer.from(block.subarray(0, bits / 8));
  block.fill(0);
  return out;
}

/** The key an EncData datum is encrypted under. */
export function datumKey(masterKey: Buffer, tag: string): Buffer {
  return sp800108CounterHmacSha512(masterKey, tag, "", DATUM_KEY_BITS);
}
