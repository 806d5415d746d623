import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TokenThrottle, addressKey } from "./token-throttle.js";

const LIMITS = { failuresPerClientAndAddress: 3, failuresPerAddress: 5, windowSeconds: 60 };

function fail(throttle: TokenThrottle, clientId: string, address: string): number | undefined {
  const attempt = throttle.attempt(clientId, address);
  return "retryAfterSeconds" in attempt ? attempt.retryAfterSeconds : undefined;
}

describe("TokenThrottle", () => {
  it("throttles a (client id, address) past its limit, with a Retry-After until one attempt refills", () => {
    let now = 0;
    const throttle = new TokenThrottle(LIMITS, () => now);
    for (let i = 0; i < 3; i++) assert.equal(fail(throttle, "c", "10.0.0.1"), undefined);
    assert.equal(fail(throttle, "c", "10.0.0.1"), 20, "3 per 60 s: one refills in 20 s");
    assert.equal(fail(throttle, "C", "10.0.0.1"), 20, "client ids are case-insensitive");
    assert.equal(fail(throttle, "c", "10.0.0.2"), undefined, "another address is not throttled");
    now += 19_000;
    assert.equal(fail(throttle, "c", "10.0.0.1"), 1);
    now += 1_000;
    assert.equal(fail(throttle, "c", "10.0.0.1"), undefined, "refilled: one more try");
    assert.equal(fail(throttle, "c", "10.0.0.1"), 20);
  });

  it("caps an address across client ids", () => {
    const throttle = new TokenThrottle(LIMITS, () => 0);
    for (let i = 0; i < 5; i++) assert.equal(fail(throttle, `c${i}`, "10.0.0.1"), undefined);
    assert.equal(fail(throttle, "another", "10.0.0.1"), 12, "5 per 60 s");
  });

  it("gives the attempt back when the secret was right", () => {
    const throttle = new TokenThrottle(LIMITS, () => 0);
    for (let i = 0; i < 10; i++) {
      const attempt = throttle.attempt("c", "10.0.0.1");
      assert.ok("succeeded" in attempt);
      attempt.succeeded();
    }
    assert.equal(throttle.size, 0, "nothing is kept for successes");
  });

  it("keeps its memory bounded however many client ids and addresses are cycled", () => {
    let now = 0;
    const throttle = new TokenThrottle(LIMITS, () => now, 100);
    for (let i = 0; i < 50_000; i++) {
      fail(throttle, `client-${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      now += 1;
    }
    assert.ok(throttle.size <= 200, `${throttle.size} buckets`);
  });

  it("counts IPv6 per /64 and IPv4-mapped addresses as IPv4", () => {
    assert.equal(addressKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    assert.equal(addressKey("2001:db8:1:2:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64");
    assert.equal(addressKey("2001:db8::1"), "2001:db8:0:0::/64");
    assert.equal(addressKey("::1"), "0:0:0:0::/64");
    assert.equal(addressKey("fe80::1%eth0"), "fe80:0:0:0::/64");
    assert.equal(addressKey("::ffff:192.0.2.7"), "192.0.2.7");
    assert.equal(addressKey("192.0.2.7"), "192.0.2.7");
  });
});
