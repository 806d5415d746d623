import { type KeyObject, createPrivateKey } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import {
  type ParsedSecurityDomain,
  SecurityDomainFormatError,
  type WrappingKeyJwk,
  parseSecurityDomainFile,
  wrappingKeyJwkFromCertificate,
} from "@mhsm/server/security-domain-client";
import { CliError, badArgument } from "../cli-error.js";

/** The files `mhsm security-domain` reads and writes, with errors that name the file. */

export async function readWrappingCertificate(path: string): Promise<WrappingKeyJwk> {
  const bytes = await readFile(path);
  try {
    return wrappingKeyJwkFromCertificate(bytes, basename(path));
  } catch {
    throw badArgument(`${path} is not an X.509 certificate (PEM or DER)`);
  }
}

export async function readPrivateKey(path: string, passphrase: string | undefined): Promise<KeyObject> {
  const bytes = await readFile(path);
  try {
    return createPrivateKey(
      bytes.includes("-----BEGIN")
        ? { key: bytes, format: "pem", passphrase }
        : { key: bytes, format: "der", type: "pkcs8", passphrase },
    );
  } catch {
    throw badArgument(
      `${path} is not a private key this command can read${passphrase === undefined ? " (if it is encrypted, give its password with --passwords)" : " with the given password"}`,
    );
  }
}

/** Azure's format (what download writes, and what an Azure Managed HSM gives), or mhsm's earlier one. */
export async function readSecurityDomainFile(path: string): Promise<ParsedSecurityDomain> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) throw error;
    throw new CliError("InvalidSecurityDomain", `${path} is not JSON`);
  }
  try {
    return parseSecurityDomainFile(parsed);
  } catch (error) {
    if (error instanceof SecurityDomainFormatError)
      throw new CliError("InvalidSecurityDomain", error.message);
    throw error;
  }
}

/** Writes the downloaded security domain; never replaces an existing file ("wx"). */
export async function writeSecurityDomainFile(path: string, value: string): Promise<void> {
  await writeFile(path, `${JSON.stringify(JSON.parse(value), null, 2)}\n`, { mode: 0o600, flag: "wx" });
}

/**
 * An upload blob `az keyvault security-domain restore-blob` (or anything else) prepared: sent as
 * it is, after a check that it is a blob and not a security domain file, so that mistake is
 * named here rather than by the HSM.
 */
export async function readRestoreBlob(path: string): Promise<string> {
  const text = await readFile(path, "utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError("InvalidSecurityDomain", `${path} is not JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || !("WrappedKey" in parsed)) {
    throw new CliError(
      "InvalidSecurityDomain",
      `${path} is not an upload blob (it has no WrappedKey); for a security domain file, give --sd-wrapping-keys instead of --restore-blob`,
    );
  }
  return text;
}
