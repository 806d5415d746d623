import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { Scrape } from "../metrics/prometheus-text.js";
import { waitFor } from "../harness/wait-for.js";
import {
  assertKeyVaultError,
  closedWithin,
  collect,
  openTcp,
  openTls,
  parseResponse,
  trickle,
} from "./raw-sockets.js";

// What the server may take beyond a configured timeout to act on it: node checks header and
// request deadlines on a timer (a quarter of the shortest, at most 1 s), and a loaded test machine.
const MARGIN_MS = 1500;
const DEFINITIONS = "/providers/Microsoft.Authorization/roleDefinitions";

/** Retries a plain authenticated-less request until it answers (the server may be full for a moment). */
async function answersWithin(server: ServerProcess, deadlineMs: number): Promise<number> {
  const response = await waitFor(() => rawRequest(server, { path: `${DEFINITIONS}?api-version=7.4` }), {
    what: "an answer to a plain request",
    timeoutMs: deadlineMs,
    intervalMs: 100,
    retryErrors: true,
  });
  return response.status;
}

describe("slow and idle connections are closed within their timeouts", () => {
  let server: ServerProcess;
  let token: string;
  const timeouts = { handshake: 1000, headers: 1000, request: 2000, keepAlive: 1000, idle: 2000 };

  before(async () => {
    server = await startServerProcess({
      args: [
        "--tls-handshake-timeout",
        "1",
        "--headers-timeout",
        "1",
        "--request-timeout",
        "2",
        "--keep-alive-timeout",
        "1",
        "--idle-timeout",
        "2",
      ],
    });
    token = await adminToken(server);
  });
  after(() => server?.dispose());

  it("closes a TCP connection that never sends a TLS ClientHello", async () => {
    const socket = await openTcp(server);
    await closedWithin(socket, timeouts.handshake + MARGIN_MS);
  });

  it("closes a TLS handshake trickled one byte at a time (a hard deadline, not an idle timer)", async () => {
    const socket = await openTcp(server);
    // A handshake record announcing 512 bytes, then one byte every 200 ms: never idle for 1 s.
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
    trickle(socket, 200, 100, () => socket.write(Buffer.from([0x01])));
    await closedWithin(socket, timeouts.handshake + MARGIN_MS);
  });

  it("closes a TLS connection that never sends a request", async () => {
    const socket = await openTls(server);
    await closedWithin(socket, timeouts.idle + MARGIN_MS);
  });

  it("answers 408 and closes a connection sending its headers a line at a time", async () => {
    const socket = await openTls(server);
    const received = collect(socket);
    const since = Date.now();
    socket.write(`GET ${DEFINITIONS}?api-version=7.4 HTTP/1.1\r\nhost: 127.0.0.1\r\n`);
    trickle(socket, 200, 100, (n) => socket.write(`x-slow-${n}: a\r\n`));
    await closedWithin(socket, timeouts.headers + MARGIN_MS, since);
    assertKeyVaultError(parseResponse(received()), 408, "RequestTimeout");
  });

  it("answers 408 and closes an authenticated PUT whose body trickles in", async () => {
    const socket = await openTls(server);
    const received = collect(socket);
    const since = Date.now();
    socket.write(
      `PUT ${DEFINITIONS}/0b7e3d4a-1c2f-4e5a-9b8c-7d6e5f4a3b2c?api-version=7.4 HTTP/1.1\r\n` +
        `host: 127.0.0.1\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\n` +
        `content-length: 100000\r\n\r\n{`,
    );
    trickle(socket, 200, 100, () => socket.write(" "));
    await closedWithin(socket, timeouts.request + MARGIN_MS, since);
    assertKeyVaultError(parseResponse(received()), 408, "RequestTimeout");
  });

  it("closes an idle keep-alive connection after its response", async () => {
    const socket = await openTls(server);
    const received = collect(socket);
    socket.write(`GET ${DEFINITIONS}?api-version=7.4 HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
    const answered = await new Promise<number>((resolve) => {
      socket.on("data", () => {
        if (received().includes("\r\n\r\n")) resolve(Date.now());
      });
    });
    assert.equal(parseResponse(received()).status, 401);
    await closedWithin(socket, timeouts.keepAlive + MARGIN_MS, answered);
  });
});

/**
 * A client that never reads its answers: other clients are served meanwhile, and the server ends
 * the connection (when is up to it: node stops reading a connection whose answers back up, and
 * may end it well before its timeouts, so the test asserts no order between the two).
 */
describe("a client that never reads", () => {
  let server: ServerProcess;
  let token: string;
  const timeouts = { request: 8000, idle: 8000 };

  before(async () => {
    server = await startServerProcess({
      args: ["--headers-timeout", "8", "--request-timeout", "8", "--idle-timeout", "8"],
    });
    token = await adminToken(server);
  });
  after(() => server?.dispose());

  it("a client that never reads its responses blocks no one, and is closed", async () => {
    const stalled = await openTls(server);
    stalled.pause();
    stalled.on("error", () => undefined);
    // Pipelined list requests: far more answer bytes than the socket buffers hold.
    const one =
      `GET ${DEFINITIONS}?api-version=7.4 HTTP/1.1\r\nhost: 127.0.0.1\r\n` +
      `authorization: Bearer ${token}\r\n\r\n`;
    stalled.write(one.repeat(2000));
    // Meanwhile other clients are answered.
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        const response = await rawRequest(server, { path: `${DEFINITIONS}?api-version=7.4`, token });
        assert.equal(response.status, 200);
      }),
    );
    // Reading now drains what the server wrote before it gave up on the connection: then it ends.
    await closedWithin(stalled, timeouts.request + timeouts.idle + 2 * MARGIN_MS);
  });
});

describe("the connection cap", () => {
  let server: ServerProcess;
  const cap = 20;
  const handshakeMs = 3000;

  before(async () => {
    server = await startServerProcess({
      args: ["--max-connections", String(cap), "--tls-handshake-timeout", "3", "--idle-timeout", "5"],
    });
  });
  after(() => server?.dispose());

  it("refuses a connection beyond the cap; a normal client works once the others go", async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < cap; i++) held.push(await openTcp(server));
      // The server accepts in order: this one is beyond the cap and never gets a handshake.
      const refused = await new Promise<string>((resolve) => {
        const socket = tlsConnect({ host: "127.0.0.1", port: server.port, ca: server.ca }, () => {
          socket.destroy();
          resolve("handshake finished");
        });
        socket.once("error", (error) => resolve(`refused: ${error.message}`));
        socket.once("close", () => resolve("refused: closed"));
      });
      assert.match(refused, /^refused/);
    } finally {
      for (const socket of held) socket.destroy();
    }
    assert.equal(await answersWithin(server, 5000), 401);
    // Refused unanswered, so no request was ever counted: /metrics counts the connection itself.
    const scrape = new Scrape((await rawRequest(server, { path: "/metrics" })).text);
    assert.ok(scrape.sum("mhsm_connections_dropped_total") >= 1, "the refused connection is counted");
  });

  it("2,000 idle TCP connections do not stop a normal client once the cap and timeouts reclaim them", async () => {
    const sockets: Socket[] = [];
    const closed: Promise<number>[] = [];
    try {
      // Opened in batches, so the listen backlog is not what refuses them.
      for (let batch = 0; batch < 20; batch++) {
        const opened = await Promise.allSettled(Array.from({ length: 100 }, () => openTcp(server)));
        for (const result of opened) {
          if (result.status !== "fulfilled") continue;
          sockets.push(result.value);
          closed.push(closedWithin(result.value, handshakeMs + 10 * MARGIN_MS));
        }
      }
      assert.ok(sockets.length >= 1900, `only ${sockets.length} connections opened`);
      // The server holds at most `cap` of them, and lets those go at the handshake deadline.
      assert.equal(await answersWithin(server, handshakeMs + 5 * MARGIN_MS), 401);
      // Every one of them is closed by the server, none left behind.
      await Promise.all(closed);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});
