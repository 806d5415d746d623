import { readFile } from "node:fs/promises";
import type { HttpClient } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/identity";
import { CliError, badArgument } from "../cli-error.js";
import type { ConnectionFlags } from "./connection-flags.js";
import { type AdminFile, readAdminFile } from "./admin-file.js";
import { credentialFor } from "./hsm-credential.js";
import { httpClientTrusting } from "./trusting-http-client.js";

/** The DNS suffixes of real Managed HSMs, one per Azure cloud. */
const MANAGED_HSM_SUFFIXES = [
  ".managedhsm.azure.net",
  ".managedhsm.usgovcloudapi.net",
  ".managedhsm.azure.cn",
  ".managedhsm.microsoftazure.de",
];

/** What every client of a verb needs: where the HSM is, who we are, and how to reach it. */
export interface HsmTarget {
  vaultUrl: string;
  credential: TokenCredential;
  /** Options for every Key Vault client (admin and keys alike). */
  clientOptions: { httpClient?: HttpClient; disableChallengeResourceVerification?: boolean };
}

/**
 * Resolves --hsm-url (or MHSM_URL), --admin-file and --ca-file into a target. The URL and the
 * CA default to the admin file's; credentials come from the admin file or the environment.
 */
export async function resolveHsmTarget(flags: ConnectionFlags): Promise<HsmTarget> {
  const admin: AdminFile | undefined = flags.adminFile ? await readAdminFile(flags.adminFile) : undefined;
  const vaultUrl = parseVaultUrl(flags.hsmUrl || admin?.vaultUrl);
  const caFile = flags.caFile || admin?.caFile;
  const httpClient = caFile ? httpClientTrusting(await readCa(caFile)) : undefined;
  return {
    vaultUrl,
    credential: credentialFor(admin, httpClient),
    clientOptions: {
      httpClient,
      // The SDKs check that the HSM's host is under the challenge's resource
      // (managedhsm.azure.net); a local server's host never is. Keep the check for a real HSM.
      ...(isManagedHsmHost(new URL(vaultUrl).hostname) ? {} : { disableChallengeResourceVerification: true }),
    },
  };
}

function parseVaultUrl(raw: string | undefined): string {
  if (!raw) {
    throw badArgument(
      "which HSM? give --hsm-url <url> (or MHSM_URL), or --admin-file <data-dir>/initial-admin.json",
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badArgument(`--hsm-url '${raw}' is not a URL`);
  }
  // The SDKs send bearer tokens over https only.
  if (url.protocol !== "https:") throw badArgument(`--hsm-url must be an https:// URL (got '${raw}')`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

async function readCa(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    throw new CliError("BadCaFile", `cannot read the CA certificate ${path}`);
  }
}

function isManagedHsmHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return MANAGED_HSM_SUFFIXES.some((suffix) => host.endsWith(suffix));
}
