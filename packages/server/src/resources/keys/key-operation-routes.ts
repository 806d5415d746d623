import type { FastifyRequest } from "fastify";
import { DataAction } from "../../platform/authorization/data-actions.js";
import type { RouteRegistry } from "../../platform/http/route-registry.js";
import { decodeBase64Url, encodeBase64Url } from "./base64url.js";
import type { CipherInput, CipherOutput, KeyCryptoService } from "./key-crypto-service.js";
import { type KeyRouteServices, baseUrlOf, keyNameOf, keyScopeOf, versionOf } from "./key-route-support.js";
import { keyOperationBody, verifyBody } from "./key-request-schemas.js";
import { keyUrl } from "./key-wire.js";

/**
 * The cryptographic operations, each at /keys/{name}/{version}/{op} and, for the latest
 * version, /keys/{name}/{op} (clients send an empty version, and "//" collapses to "/").
 */
type CipherMethod = "encrypt" | "decrypt" | "wrapKey" | "unwrapKey";

const CIPHER_OPERATIONS: Array<{
  path: string;
  method: CipherMethod;
  operation: string;
  dataAction: string;
}> = [
  { path: "encrypt", method: "encrypt", operation: "Encrypt", dataAction: DataAction.KeysEncrypt },
  { path: "decrypt", method: "decrypt", operation: "Decrypt", dataAction: DataAction.KeysDecrypt },
  { path: "wrapkey", method: "wrapKey", operation: "WrapKey", dataAction: DataAction.KeysWrap },
  { path: "unwrapkey", method: "unwrapKey", operation: "UnwrapKey", dataAction: DataAction.KeysUnwrap },
];

const KEY_PATHS = ["/keys/:keyName", "/keys/:keyName/:keyVersion"];

export function registerKeyOperationRoutes(routes: RouteRegistry, services: KeyRouteServices): void {
  const { crypto } = services;

  for (const prefix of KEY_PATHS) {
    for (const { path, method, operation, dataAction } of CIPHER_OPERATIONS) {
      routes.authorized({
        method: "POST",
        url: `${prefix}/${path}`,
        operation,
        dataAction,
        scope: keyScopeOf,
        schema: { body: keyOperationBody },
        handler: async (request) => cipherReply(request, await runCipher(crypto, method, request)),
      });
    }

    routes.authorized({
      method: "POST",
      url: `${prefix}/sign`,
      operation: "Sign",
      dataAction: DataAction.KeysSign,
      scope: keyScopeOf,
      schema: { body: keyOperationBody },
      handler: async (request) => {
        const body = request.body as { alg: string; value: string };
        const digest = decodeBase64Url(body.value, "value");
        const result = await crypto.sign(keyNameOf(request), versionOf(request), body.alg, digest);
        return {
          kid: keyUrl(baseUrlOf(request), result.key.name, result.key.version),
          value: encodeBase64Url(result.value),
        };
      },
    });

    routes.authorized({
      method: "POST",
      url: `${prefix}/verify`,
      operation: "Verify",
      dataAction: DataAction.KeysVerify,
      scope: keyScopeOf,
      schema: { body: verifyBody },
      handler: async (request) => {
        const body = request.body as { alg: string; digest: string; value: string };
        const digest = decodeBase64Url(body.digest, "digest");
        const signature = decodeBase64Url(body.value, "value");
        const result = await crypto.verify(
          keyNameOf(request),
          versionOf(request),
          body.alg,
          digest,
          signature,
        );
        return { value: result.valid };
      },
    });

    // Secure key release and secure wrap/unwrap: release/release-routes.ts; key attestation:
    // attestation/.
  }
}

function runCipher(
  crypto: KeyCryptoService,
  method: CipherMethod,
  request: FastifyRequest,
): Promise<CipherOutput> {
  const body = request.body as { alg: string; value: string; iv?: string; aad?: string; tag?: string };
  const input: CipherInput = { algorithm: body.alg, value: decodeBase64Url(body.value, "value") };
  if (body.iv !== undefined) input.iv = decodeBase64Url(body.iv, "iv");
  if (body.aad !== undefined) input.aad = decodeBase64Url(body.aad, "aad");
  if (body.tag !== undefined) input.tag = decodeBase64Url(body.tag, "tag");
  return crypto[method](keyNameOf(request), versionOf(request), input);
}

function cipherReply(request: FastifyRequest, result: CipherOutput) {
  return {
    kid: keyUrl(baseUrlOf(request), result.key.name, result.key.version),
    value: encodeBase64Url(result.value),
    ...(result.iv ? { iv: encodeBase64Url(result.iv) } : {}),
    ...(result.tag ? { tag: encodeBase64Url(result.tag) } : {}),
    ...(result.aad ? { aad: encodeBase64Url(result.aad) } : {}),
  };
}
