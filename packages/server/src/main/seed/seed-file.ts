import { createPrivateKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { ImportedJwk } from "../../resources/keys/jwk-import.js";
import { type SeedFile, type SeedKey, entryPath, seedFileSchema } from "./seed-schema.js";
import { SeedError, atEntry } from "./seed-error.js";

/** A JWK from a key file: what the import route's `key` member holds. */
export type SeedJwk = ImportedJwk & { key_ops?: string[] };

/** A seed file read and shape-checked, with the key files it names read too. */
export interface LoadedSeed {
  file: string;
  seed: SeedFile;
  /** The JWK of each imported key, by its index in `seed.keys`. */
  importedKeys: Map<number, SeedJwk>;
}

const MAX_SEED_BYTES = 16 * 1024 * 1024;
const MAX_KEY_FILE_BYTES = 1024 * 1024;

export async function loadSeedFile(path: string): Promise<LoadedSeed> {
  const file = resolve(path);
  const text = await atEntry(path, "", () => readBounded(file, MAX_SEED_BYTES));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SeedError(path, "", `not JSON: ${(error as Error).message}`);
  }
  const parsed = seedFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as (typeof parsed.error.issues)[number];
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : "";
    throw new SeedError(path, entryPath(issue.path), `${issue.message}${more}`);
  }
  const seed = parsed.data;
  const importedKeys = new Map<number, SeedJwk>();
  for (const [index, key] of seed.keys.entries()) {
    if (!key.import) continue;
    const where = `keys[${index}].import`;
    importedKeys.set(index, await atEntry(path, where, () => readKeyFile(dirname(file), key.import!)));
  }
  return { file: path, seed, importedKeys };
}

async function readBounded(file: string, limit: number): Promise<string> {
  const bytes = await readFile(file);
  if (bytes.length > limit) throw new Error(`${file} is larger than ${limit} bytes`);
  return bytes.toString("utf8");
}

/** A key file as a JWK (with key_ops, if the file has them): a JWK file as it is; a PEM private key converted by node:crypto. */
async function readKeyFile(seedDir: string, source: NonNullable<SeedKey["import"]>): Promise<SeedJwk> {
  if (source.jwkFile !== undefined) {
    const text = await readBounded(resolve(seedDir, source.jwkFile), MAX_KEY_FILE_BYTES);
    let jwk: unknown;
    try {
      jwk = JSON.parse(text);
    } catch {
      // The parser's message may quote the file, which holds key material: say only where.
      throw new Error(`jwkFile ${source.jwkFile} is not JSON`);
    }
    if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
      throw new Error(`jwkFile ${source.jwkFile} is not a JSON Web Key object`);
    }
    checkJwkMembers(jwk as Record<string, unknown>, source.jwkFile);
    return jwk as SeedJwk;
  }
  const pem = await readBounded(resolve(seedDir, source.pemFile as string), MAX_KEY_FILE_BYTES);
  let jwk: Record<string, unknown>;
  try {
    jwk = createPrivateKey(pem).export({ format: "jwk" }) as Record<string, unknown>;
  } catch {
    throw new Error(`pemFile ${source.pemFile} is not a PEM private key (PKCS#8, PKCS#1 or SEC1)`);
  }
  // node names the secp256k1 curve as the JOSE registry does; Key Vault calls it P-256K.
  if (jwk.crv === "secp256k1") jwk.crv = "P-256K";
  return jwk as SeedJwk;
}

/** The import route's body schema, for a file: members are base64url strings of bounded length. */
const JWK_STRING_MEMBERS = [
  "kty",
  "crv",
  "n",
  "e",
  "d",
  "p",
  "q",
  "dp",
  "dq",
  "qi",
  "x",
  "y",
  "k",
  "key_hsm",
];

function checkJwkMembers(jwk: Record<string, unknown>, file: string): void {
  for (const member of JWK_STRING_MEMBERS) {
    const value = jwk[member];
    if (value !== undefined && (typeof value !== "string" || value.length > 4096)) {
      throw new Error(`jwkFile ${file}: ${member} must be a string of at most 4096 characters`);
    }
  }
  const ops = jwk.key_ops;
  if (ops !== undefined && (!Array.isArray(ops) || ops.some((op) => typeof op !== "string"))) {
    throw new Error(`jwkFile ${file}: key_ops must be an array of strings`);
  }
}
