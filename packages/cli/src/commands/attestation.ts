import { createPublicKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  RestError,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
} from "@azure/core-rest-pipeline";
import type { Command } from "commander";
import { badArgument, runAction } from "../cli-error.js";
import { resolveHsmTarget } from "../connection/hsm-target.js";
import { type VerbFlags, addGroup, addVerb } from "../verb.js";

interface TokenFlags extends VerbFlags {
  claims?: string;
  runtimeKey?: string;
  runtimeKeyId?: string;
}

/**
 * `mhsm attestation token`: a token from the HSM's built-in TEST attestation authority (a server
 * started with --test-attestation-authority), with the claims of a JSON file and the given
 * runtime key, for exercising secure key release without Azure. The authority is public: no
 * credentials are sent.
 */
export function registerAttestationCommands(program: Command): void {
  const attestation = addGroup(
    program,
    "attestation",
    "the built-in TEST attestation authority (for tests only)",
  );

  addVerb(attestation, {
    name: "token",
    description:
      "mint a test attestation token with chosen claims and runtime key (server needs --test-attestation-authority)",
    examples: ["mhsm attestation token --claims claims.json --runtime-key runtime-public.pem > token.jwt"],
  })
    .option("--claims <file>", "a JSON file with the token's claims (an object); iss is always the authority")
    .option(
      "--runtime-key <pem>",
      "a PEM file with the RSA key to release to (public, or private: its public half is sent)",
    )
    .option("--runtime-key-id <kid>", "the runtime key's kid (default: runtime-key)")
    .action(
      runAction(async (flags: TokenFlags) => {
        const body: Record<string, unknown> = {};
        if (flags.claims) body.claims = await readClaims(flags.claims);
        if (flags.runtimeKey) body.runtimeKey = await readRuntimeKey(flags.runtimeKey);
        if (flags.runtimeKeyId) body.runtimeKeyId = flags.runtimeKeyId;
        const target = await resolveHsmTarget(flags);
        const httpClient = target.clientOptions.httpClient ?? createDefaultHttpClient();
        const response = await httpClient.sendRequest(
          createPipelineRequest({
            url: `${target.vaultUrl}/test-attestation/tokens`,
            method: "POST",
            headers: createHttpHeaders({ "content-type": "application/json", accept: "application/json" }),
            body: JSON.stringify(body),
          }),
        );
        // The authority's routes are public: without them the path is unknown, which an HSM
        // answers 401 (no bearer token) or 404.
        if (response.status === 404 || response.status === 401) {
          throw badArgument(
            `${target.vaultUrl} has no test attestation authority: start the server with --test-attestation-authority.`,
          );
        }
        const answer = JSON.parse(response.bodyAsText ?? "{}") as {
          token?: string;
          error?: { code?: string; message?: string };
        };
        if (response.status !== 200 || !answer.token) {
          throw new RestError(answer.error?.message ?? `the HSM answered ${response.status}`, {
            code: answer.error?.code,
            statusCode: response.status,
          });
        }
        process.stdout.write(`${answer.token}\n`);
      }),
    );
}

async function readClaims(file: string): Promise<Record<string, unknown>> {
  let claims: unknown;
  try {
    claims = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw badArgument(`--claims ${file}: not a readable JSON file (${(error as Error).message})`);
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
    throw badArgument(`--claims ${file}: the claims must be a JSON object`);
  }
  return claims as Record<string, unknown>;
}

async function readRuntimeKey(file: string): Promise<string> {
  try {
    const key = createPublicKey(await readFile(file, "utf8"));
    if (key.asymmetricKeyType !== "rsa") throw new Error("not an RSA key");
    return key.export({ format: "pem", type: "spki" }) as string;
  } catch (error) {
    throw badArgument(`--runtime-key ${file}: not an RSA key in PEM (${(error as Error).message})`);
  }
}
