import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Barrier } from "../barrier/barrier.js";
import { ensureDirectory } from "../config/data-directory.js";
import {
  type IssuedPair,
  certificateStillFits,
  createCertificateAuthority,
  issueServerCertificate,
  serverNames,
} from "./local-ca.js";

export interface ServerTls {
  cert: string;
  key: string;
  /** Absolute path of the CA clients should trust, when the server made its own. */
  caFile: string | undefined;
}

/**
 * HTTPS material. Given --tls-cert/--tls-key, those files are used as they are. Otherwise the
 * data directory holds a local CA and a server certificate it signed: certificates in plain
 * PEM (tls/ca.pem is what clients trust), private keys sealed by the barrier so that no key
 * material sits in the data directory in plain text. A server certificate that is close to
 * expiry, or lacks a configured name, is reissued by the same CA, so clients keep trusting it.
 */
export async function loadServerTls(options: {
  dataDir: string;
  hsmName: string;
  names: string[];
  barrier: Barrier;
  certFile?: string | undefined;
  keyFile?: string | undefined;
}): Promise<ServerTls> {
  if (options.certFile && options.keyFile) {
    return {
      cert: await readFile(options.certFile, "utf8"),
      key: await readFile(options.keyFile, "utf8"),
      caFile: undefined,
    };
  }
  const dir = join(options.dataDir, "tls");
  await ensureDirectory(dir);
  const files = {
    caCert: join(dir, "ca.pem"),
    caKey: join(dir, "ca.key.sealed"),
    cert: join(dir, "server.pem"),
    key: join(dir, "server.key.sealed"),
  };
  const { barrier } = options;

  let ca = await readPair(files.caCert, files.caKey, barrier, "tls/ca.key");
  if (!ca) {
    ca = await createCertificateAuthority(options.hsmName);
    await writePair(files.caCert, files.caKey, ca, barrier, "tls/ca.key");
  } else if (!ca.certificatePem.endsWith("\n")) {
    // Data directories from before ca.pem ended with a newline: same certificate, fixed file.
    await writeFile(files.caCert, withFinalNewline(ca.certificatePem), { mode: 0o644 });
  }
  const names = serverNames(options.names);
  let server = await readPair(files.cert, files.key, barrier, "tls/server.key");
  if (!server || !certificateStillFits(server.certificatePem, names)) {
    server = await issueServerCertificate(ca, names);
    await writePair(files.cert, files.key, server, barrier, "tls/server.key");
  }
  return { cert: server.certificatePem, key: server.privateKeyPem, caFile: files.caCert };
}

async function readPair(certFile: string, keyFile: string, barrier: Barrier, identity: string) {
  try {
    const [certificatePem, sealedKey] = await Promise.all([
      readFile(certFile, "utf8"),
      readFile(keyFile, "utf8"),
    ]);
    return {
      certificatePem,
      privateKeyPem: barrier.openString(sealedKey.trim(), identity),
    } satisfies IssuedPair;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function writePair(
  certFile: string,
  keyFile: string,
  pair: IssuedPair,
  barrier: Barrier,
  identity: string,
) {
  await writeFile(keyFile, `${barrier.seal(pair.privateKeyPem, identity)}\n`, { mode: 0o600 });
  await writeFile(certFile, withFinalNewline(pair.certificatePem), { mode: 0o644 });
}

/** PEM files end with a newline, so `cat ca.pem >> bundle.pem` makes a valid CA bundle. */
function withFinalNewline(pem: string): string {
  return pem.endsWith("\n") ? pem : `${pem}\n`;
}
