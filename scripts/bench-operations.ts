import {
  type SignKeyObjectInput,
  constants,
  createCipheriv,
  createHash,
  createSecretKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from "node:crypto";
import type { BenchHttpsClient } from "./bench-client.js";

export interface BenchOperation {
  id: string;
  label: string;
  run: () => Promise<unknown>;
  /** In-process only: the same operation through node:crypto's synchronous API, on this thread. */
  runSync?: () => unknown;
}

const API = "api-version=7.5";
const MESSAGE = randomBytes(256);
const DIGEST = createHash("sha256").update(MESSAGE).digest();

/** The four operations through the server; creates the keys they use. */
export async function serverOperations(client: BenchHttpsClient): Promise<BenchOperation[]> {
  const create = (name: string, body: object) =>
    client.send("POST", `/keys/${name}/create?${API}`, JSON.stringify(body));
  await create("bench-rsa", { kty: "RSA-HSM", key_size: 2048 });
  await create("bench-ec", { kty: "EC-HSM", crv: "P-256" });
  await create("bench-aes", { kty: "oct-HSM", key_size: 256 });
  const post = (path: string, body: object) => {
    const text = JSON.stringify(body);
    return () => client.send("POST", `${path}?${API}`, text);
  };
  const digest = DIGEST.toString("base64url");
  return [
    {
      id: "rsa-sign",
      label: "RSA-2048 PS256 sign",
      run: post("/keys/bench-rsa/sign", { alg: "PS256", value: digest }),
    },
    {
      id: "ec-sign",
      label: "EC P-256 ES256 sign",
      run: post("/keys/bench-ec/sign", { alg: "ES256", value: digest }),
    },
    {
      id: "aes-wrap",
      label: "AES-256 wrapKey (A256KW)",
      run: post("/keys/bench-aes/wrapkey", { alg: "A256KW", value: randomBytes(32).toString("base64url") }),
    },
    { id: "get-key", label: "get key (RSA-2048)", run: () => client.send("GET", `/keys/bench-rsa?${API}`) },
  ];
}

/**
 * The same operations with node:crypto in this process, through node's own public API: `run`
 * uses the asynchronous sign (OpenSSL in libuv's thread pool, so it may use every core) where
 * there is one, `runSync` the synchronous call on this one thread. AES key wrap has only a
 * synchronous cipher, and "get key" is the export of the public JWK.
 */
export async function inProcessOperations(): Promise<BenchOperation[]> {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const aes = createSecretKey(randomBytes(32));
  const iv = Buffer.from("A6A6A6A6A6A6A6A6", "hex");
  const toWrap = randomBytes(32);
  const rsaOptions = { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  const ecOptions = { key: ec.privateKey, dsaEncoding: "ieee-p1363" as const };
  const signAsync = (options: SignKeyObjectInput) => () =>
    new Promise<Buffer>((resolve, reject) =>
      sign("sha256", MESSAGE, options, (error, signature) => (error ? reject(error) : resolve(signature))),
    );
  const wrap = () => {
    const cipher = createCipheriv("id-aes256-wrap", aes, iv);
    return Buffer.concat([cipher.update(toWrap), cipher.final()]);
  };
  const exportJwk = () => rsa.publicKey.export({ format: "jwk" });
  return [
    {
      id: "rsa-sign",
      label: "RSA-2048 PS256 sign",
      run: signAsync(rsaOptions),
      runSync: () => sign("sha256", MESSAGE, rsaOptions),
    },
    {
      id: "ec-sign",
      label: "EC P-256 ES256 sign",
      run: signAsync(ecOptions),
      runSync: () => sign("sha256", MESSAGE, ecOptions),
    },
    { id: "aes-wrap", label: "AES-256 wrapKey (A256KW)", run: async () => wrap(), runSync: wrap },
    { id: "get-key", label: "get key (RSA-2048)", run: async () => exportJwk(), runSync: exportJwk },
  ];
}
