import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { datumKey, sp800108CounterHmacSha512 } from "./sp800-108.js";

describe("SP 800-108 counter mode, HMAC-SHA512 (Azure's sp108_kdf)", () => {
  it("gives the Azure CLI's own known answer (sp800_108.py test_sp800_108)", () => {
    const key = Buffer.alloc(32, 0x41);
    assert.equal(
      sp800108CounterHmacSha512(key, "label", "context", 256).toString("hex"),
      "f0ca51f6308791404bf68b56024ee7c64d6c737716f81d47e1e68b5c4e399575",
    );
  });

  it("derives a datum's 64-byte key from the master key and its tag as the CLI does", () => {
    // KDF.sp800_108(bytearray([0x41] * 32), "tag", "", 512) from the Azure CLI's module.
    assert.equal(
      datumKey(Buffer.alloc(32, 0x41), "tag").toString("hex"),
      "ae52172381db39ddb05bde4dbf0689f14f2c3cd10db5a5fe3d5a0471f741efb1" +
        "873aa89a5bbbca9acb72ac541d2ae7920e9b3936c518d14ef39a7bae94f14712",
    );
  });

  it("yields one block at most, in whole bytes", () => {
    assert.throws(() => sp800108CounterHmacSha512(Buffer.alloc(32), "l", "", 520), RangeError);
    assert.throws(() => sp800108CounterHmacSha512(Buffer.alloc(32), "l", "", 12), RangeError);
    assert.throws(() => sp800108CounterHmacSha512(Buffer.alloc(32), "l", "", 0), RangeError);
  });
});
