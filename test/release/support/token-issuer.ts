import { execFileSync } from "node:child_process";
import { type KeyObject, X509Certificate, createPrivateKey, createPublicKey, sign } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * An attestation authority written for the tests, independent of the server's code: its own CA
 * and TLS certificate (OpenSSL), its own RS256 signing keys, OpenID metadata and a JWKS over
 * HTTPS on loopback, and tokens signed with node:crypto. The HSM under test trusts its CA
 * through NODE_EXTRA_CA_CERTS, as a deployment trusting a private authority would.
 */
export interface TokenIssuer {
  /** The authority URL a release policy names (with the trailing slash MAA's issuers have). */
  authority: string;
  caFile: string;
  /** The signing key published with x5c (kid "x5c-key") and one published as n/e (kid "ne-key"). */
  keys: { x5c: KeyObject; ne: KeyObject };
  /** Requests the issuer has answered, by path. */
  requests: string[];
  token(claims: Record<string, unknown>, options?: TokenOptions): string;
  close(): Promise<void>;
}

export interface TokenOptions {
  /** Header members over {alg: RS256, typ: JWT, kid: "x5c-key"}. */
  header?: Record<string, unknown>;
  /** Which key signs; default the x5c one. */
  key?: KeyObject;
  /** Leave iss/exp out, or set them, over the defaults (iss the authority, exp in an hour). */
  omitDefaults?: boolean;
}

/** A CA for the issuers of one test file: OpenSSL makes it, and the TLS certificates it signs. */
export function makeTestCa(): { dir: string; caFile: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "mhsm-attest-ca-"));
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=attestation test CA",
  ]);
  return { dir, caFile: join(dir, "ca.pem"), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startTokenIssuer(
  ca: { dir: string; caFile: string },
  name: string,
): Promise<TokenIssuer> {
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: ca.dir, stdio: "pipe" });
  run([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${name}-tls.key`,
    "-out",
    `${name}-tls.csr`,
    "-subj",
    "/CN=127.0.0.1",
  ]);
  const ext = join(ca.dir, `${name}.ext`);
  execFileSync("sh", ["-c", `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost' > '${ext}'`]);
  run([
    "x509",
    "-req",
    "-in",
    `${name}-tls.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    `${name}-tls.pem`,
    "-days",
    "2",
    "-extfile",
    ext,
  ]);
  // The signing key with a self-signed certificate for x5c (MAA publishes x5c), and one more key as n/e.
  run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${name}-sign.key`,
    "-out",
    `${name}-sign.pem`,
    "-days",
    "2",
    "-subj",
    `/CN=${name} signing`,
  ]);
  const x5cKey = createPrivateKey(readFileSync(join(ca.dir, `${name}-sign.key`)));
  const x5cDer = new X509Certificate(readFileSync(join(ca.dir, `${name}-sign.pem`))).raw;
  run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", `${name}-ne.key`]);
  const neKey = createPrivateKey(readFileSync(join(ca.dir, `${name}-ne.key`)));
  const requests: string[] = [];
  let base = "";
  const server: Server = createServer(
    {
      key: readFileSync(join(ca.dir, `${name}-tls.key`)),
      cert: readFileSync(join(ca.dir, `${name}-tls.pem`)),
    },
    (request, response) => {
      requests.push(request.url ?? "");
      const send = (body: unknown) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
      };
      if (request.url === "/.well-known/openid-configuration")
        return send({ issuer: `${base}/`, jwks_uri: `${base}/certs` });
      if (request.url === "/certs") {
        const ne = createPublicKey(neKey).export({ format: "jwk" });
        return send({
          keys: [
            { kty: "RSA", kid: "x5c-key", use: "sig", x5c: [x5cDer.toString("base64")] },
            { kty: "RSA", kid: "ne-key", use: "sig", n: ne.n, e: ne.e },
          ],
        });
      }
      response.writeHead(404).end();
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `https://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const authority = `${base}/`;
  return {
    authority,
    caFile: ca.caFile,
    keys: { x5c: x5cKey, ne: neKey },
    requests,
    token(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const header = { alg: "RS256", typ: "JWT", kid: "x5c-key", ...options.header };
      const payload = options.omitDefaults
        ? claims
        : { iss: authority, iat: now, nbf: now, exp: now + 3600, ...claims };
      const input = `${b64(header)}.${b64(payload)}`;
      const signature = sign("sha256", Buffer.from(input), options.key ?? x5cKey);
      return `${input}.${signature.toString("base64url")}`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** x-ms-runtime with one RSA key, as a confidential VM's token carries its TPM's. */
export function runtimeClaim(publicKey: KeyObject, kid = "TpmEphemeralEncryptionKey") {
  const jwk = publicKey.export({ format: "jwk" });
  return { keys: [{ kid, kty: "RSA", key_ops: ["encrypt"], n: jwk.n, e: jwk.e }] };
}
