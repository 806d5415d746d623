import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { fuzzParameters } from "../../../../../test/harness/fuzz.js";
import { actionMatches } from "./data-actions.js";

/**
 * The wildcard matcher against an independent reference: the same language written as a
 * regular expression (one `.*` per star), which is correct but exponential on long patterns, so
 * the reference only ever sees short ones. Small alphabets make stars, near-misses and case
 * differences meet often.
 */
function reference(pattern: string, action: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "is").test(action);
}

const patternChar = fc.constantFrom("a", "B", "/", ".", "*", "*", "-");
const actionChar = fc.constantFrom("a", "b", "A", "/", ".", "-");

describe("actionMatches (property)", () => {
  it("agrees with a regular-expression reference on every short pattern and action", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: patternChar, maxLength: 10 }),
        fc.string({ unit: actionChar, maxLength: 12 }),
        (pattern, action) => actionMatches(pattern, action) === reference(pattern, action),
      ),
      fuzzParameters(5000),
    );
  });

  it("matches what a pattern derived from the action by replacing runs with stars describes", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: actionChar, minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
        (action, cuts) => {
          let pattern = action;
          for (const [a, b] of cuts) {
            const from = a % (pattern.length + 1);
            const to = from + (b % (pattern.length - from + 1));
            pattern = `${pattern.slice(0, from)}*${pattern.slice(to)}`;
          }
          return actionMatches(pattern, action) && actionMatches(pattern.toUpperCase(), action);
        },
      ),
      fuzzParameters(2000),
    );
  });

  // Before: each star became `.*` in a regex; 8 stars against a near-miss took ~12 s and 10 hung
  // the node. The match runs in a worker that is stopped after 10 s, so an exponential matcher
  // fails this test instead of hanging the suite.
  it("answers a near-miss against a pattern of 120 stars at once", async () => {
    const action = `Microsoft.KeyVault/managedHsm/${"keys/".repeat(40)}read/action`;
    assert.equal(await matchInWorker(`${"*k".repeat(120)}*X`, action, 10_000), false);
    assert.equal(await matchInWorker(`${"*k".repeat(40)}*`, action, 10_000), true);
  });
});

/** actionMatches in a worker thread (loaded through tsx's API), stopped at the deadline. */
function matchInWorker(pattern: string, action: string, deadlineMs: number): Promise<boolean> {
  const moduleUrl = new URL("./data-actions.ts", import.meta.url).href;
  const worker = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     import("tsx/esm/api")
       .then(({ tsImport }) => tsImport(workerData.moduleUrl, workerData.moduleUrl))
       .then((m) => parentPort.postMessage(m.actionMatches(workerData.pattern, workerData.action)));`,
    { eval: true, workerData: { moduleUrl, pattern, action } },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`matching did not finish within ${deadlineMs} ms`));
    }, deadlineMs);
    worker.once("message", (matched: boolean) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(matched);
    });
    worker.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
