import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { splitSecret } from "../../packages/server/src/resources/security-domain/prime-field-shares.js";
import { SYSTEM_PYTHON } from "../harness/python.js";

const SCRIPT = join(import.meta.dirname, "python", "recombine_shares.py");

/**
 * The share format against Microsoft's reader: secrets split by mhsm (random lengths, share
 * counts, quorums, and which shares come back, in which order; fixed seed) are recombined by the
 * Azure CLI's own SharedSecret.get_plaintext, which must give every secret back. One Python run
 * for the whole batch.
 */
describe("mhsm's shares, recombined by the Azure CLI's shared_secret.py", () => {
  it("give back every secret, from any quorum in any order", () => {
    const cases = fc.sample(
      fc
        .record({
          secret: fc.uint8Array({ minLength: 1, maxLength: 64 }),
          count: fc.integer({ min: 2, max: 10 }),
        })
        .chain(({ secret, count }) =>
          fc.record({
            secret: fc.constant(Buffer.from(secret)),
            count: fc.constant(count),
            required: fc.integer({ min: 2, max: count }),
            order: fc.shuffledSubarray(
              Array.from({ length: count }, (_, i) => i),
              { minLength: count, maxLength: count },
            ),
          }),
        ),
      { numRuns: 200, seed: 20261130 },
    );
    const batch = cases.map(({ secret, count, required, order }) => {
      const shares = splitSecret(secret, count, required);
      // The reader uses the first `required` shares it is handed.
      return {
        required,
        shares: order.slice(0, required).map((i) => (shares[i] as Buffer).toString("base64")),
      };
    });
    const recombined = JSON.parse(
      execFileSync(SYSTEM_PYTHON, [SCRIPT], { input: JSON.stringify(batch), encoding: "utf8" }),
    ) as string[];
    assert.equal(recombined.length, cases.length);
    for (const [index, { secret }] of cases.entries()) {
      assert.equal(recombined[index], secret.toString("hex"), `case ${index}`);
    }
  });
});
