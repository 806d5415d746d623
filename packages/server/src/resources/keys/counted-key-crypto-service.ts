import type { MetricsRecorder } from "../../platform/metrics/metrics-recorder.js";
import { type CipherInput, type CipherOutput, KeyCryptoService } from "./key-crypto-service.js";
import type { KeyVersion } from "./key-model.js";

/**
 * The crypto service, counting each operation that succeeded by algorithm and key type for
 * /metrics. The algorithm is one the service accepted (an exact name from its tables), so a
 * caller cannot add label values; a refused request is counted by its HTTP status instead.
 */
export class CountedKeyCryptoService extends KeyCryptoService {
  constructor(metrics: MetricsRecorder, ...parts: ConstructorParameters<typeof KeyCryptoService>) {
    super(...parts);
    this.#metrics = metrics;
  }

  readonly #metrics: MetricsRecorder;

  override async encrypt(
    name: string,
    version: string | undefined,
    input: CipherInput,
  ): Promise<CipherOutput> {
    return this.#count("encrypt", input.algorithm, await super.encrypt(name, version, input));
  }

  override async decrypt(
    name: string,
    version: string | undefined,
    input: CipherInput,
  ): Promise<CipherOutput> {
    return this.#count("decrypt", input.algorithm, await super.decrypt(name, version, input));
  }

  override async wrapKey(
    name: string,
    version: string | undefined,
    input: CipherInput,
  ): Promise<CipherOutput> {
    return this.#count("wrapKey", input.algorithm, await super.wrapKey(name, version, input));
  }

  override async unwrapKey(
    name: string,
    version: string | undefined,
    input: CipherInput,
  ): Promise<CipherOutput> {
    return this.#count("unwrapKey", input.algorithm, await super.unwrapKey(name, version, input));
  }

  override async sign(
    name: string,
    version: string | undefined,
    algorithm: string,
    digest: Buffer,
  ): Promise<{ key: KeyVersion; value: Buffer }> {
    return this.#count("sign", algorithm, await super.sign(name, version, algorithm, digest));
  }

  override async verify(
    name: string,
    version: string | undefined,
    algorithm: string,
    digest: Buffer,
    signature: Buffer,
  ): Promise<{ key: KeyVersion; valid: boolean }> {
    return this.#count("verify", algorithm, await super.verify(name, version, algorithm, digest, signature));
  }

  #count<R extends { key: KeyVersion }>(operation: string, algorithm: string, result: R): R {
    this.#metrics.cryptoOperation(operation, algorithm, result.key.shape.kty);
    return result;
  }
}
