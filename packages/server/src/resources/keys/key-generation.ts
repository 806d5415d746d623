import { createSecretKey, generateKeyPair, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import type { KeyMaterial } from "./key-material.js";
import { OPENSSL_CURVE } from "./key-material.js";
import type { KeyShape } from "./key-model.js";

const generateKeyPairAsync = promisify(generateKeyPair);

/** New key material of the given shape. Key pairs are generated off the event loop. */
export async function generateKeyMaterial(shape: KeyShape): Promise<KeyMaterial> {
  switch (shape.kty) {
    case "RSA-HSM": {
      const { privateKey, publicKey } = await generateKeyPairAsync("rsa", {
        modulusLength: shape.keySize,
        publicExponent: shape.publicExponent,
      });
      return { kty: "RSA-HSM", privateKey, publicKey };
    }
    case "EC-HSM": {
      const { privateKey, publicKey } = await generateKeyPairAsync("ec", {
        namedCurve: OPENSSL_CURVE[shape.curve],
      });
      return { kty: "EC-HSM", curve: shape.curve, privateKey, publicKey };
    }
    case "oct-HSM":
      return { kty: "oct-HSM", secret: createSecretKey(randomBytes(shape.keySize / 8)) };
  }
}
