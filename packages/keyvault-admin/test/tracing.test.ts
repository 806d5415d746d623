import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Instrumenter, type SpanStatus, useInstrumenter } from "@azure/core-tracing";
import { type ServerProcess, startServerProcess } from "../../../test/harness/server-process.js";
import { adminClients } from "./support/admin-clients.js";

interface RecordedSpan {
  name: string;
  parent?: RecordedSpan;
  status?: SpanStatus;
  ended: boolean;
}

/**
 * An instrumenter that records spans, registered through @azure/core-tracing as an OpenTelemetry
 * bridge would be: what a user's tracing backend would receive.
 */
function recordingInstrumenter(spans: RecordedSpan[]): Instrumenter {
  const SPAN = Symbol("span");
  return {
    startSpan(name, spanOptions) {
      const parent = spanOptions.tracingContext?.getValue(SPAN) as RecordedSpan | undefined;
      const recorded: RecordedSpan = { name, parent, ended: false };
      spans.push(recorded);
      const context = (values: Map<symbol, unknown>): import("@azure/core-tracing").TracingContext => ({
        getValue: (key) => values.get(key as symbol),
        setValue: (key, value) => context(new Map(values).set(key as symbol, value)),
        deleteValue: (key) => {
          const copy = new Map(values);
          copy.delete(key as symbol);
          return context(copy);
        },
      });
      return {
        span: {
          setStatus: (status) => (recorded.status = status),
          setAttribute: () => {},
          end: () => (recorded.ended = true),
          recordException: () => {},
          isRecording: () => true,
        },
        tracingContext: context(new Map<symbol, unknown>([[SPAN, recorded]])),
      };
    },
    withContext: (_context, callback, ...args) => callback(...args),
    parseTraceparentHeader: () => undefined,
    createRequestHeaders: () => ({}),
  };
}

describe("tracing through @azure/core-tracing", () => {
  let server: ServerProcess;
  const spans: RecordedSpan[] = [];

  before(async () => {
    useInstrumenter(recordingInstrumenter(spans));
    server = await startServerProcess();
  });
  after(() => server?.dispose());

  it("each operation is a span named <client>.<method>, with the HTTP requests inside it", async () => {
    const { accessControl, settings } = adminClients(server);
    await accessControl.getRoleDefinition("/", "a290e904-7015-4bba-90c8-60543313cdb4");
    await settings.getSettings();

    const operation = spans.find((s) => s.name === "KeyVaultAccessControlClient.getRoleDefinition");
    assert.ok(operation, `spans: ${spans.map((s) => s.name).join(", ")}`);
    assert.equal(operation.ended, true);
    assert.equal(operation.status?.status, "success");
    assert.ok(
      spans.some((s) => s.parent === operation && /GET/.test(s.name)),
      "the request is a child span of the operation",
    );
    assert.ok(spans.some((s) => s.name === "KeyVaultSettingsClient.getSettings" && s.ended));
  });

  it("a failed operation's span ends with an error status", async () => {
    const { accessControl } = adminClients(server);
    await assert.rejects(accessControl.getRoleAssignment("/", "00000000-0000-0000-0000-000000000000"));
    const failed = spans.find((s) => s.name === "KeyVaultAccessControlClient.getRoleAssignment");
    assert.equal(failed?.ended, true);
    assert.equal(failed?.status?.status, "error");
  });
});
