import { type AddressInfo, type Server, type Socket, connect, createServer } from "node:net";

export interface DelayingProxy {
  port: number;
  /** Milliseconds each chunk from the client waits before it is forwarded; change at any time. */
  delayMs: number;
  /**
   * While true, nothing is forwarded either way and every connection stays open, as over a
   * frozen network or a half-open connection; set false, what was held back goes on in order.
   */
  frozen: boolean;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback that forwards to a real service (Azurite, PostgreSQL) after a delay,
 * or not at all while frozen, so a test can hold an operation open long enough to act while it
 * runs, or cut a connection off without closing it. Nothing is faked: every byte reaches the
 * real service and comes back.
 */
export async function startDelayingProxy(targetPort: number, delayMs: number): Promise<DelayingProxy> {
  const sockets = new Set<Socket>();
  /** Sends on what a direction of a connection held back while frozen. */
  const releases = new Set<() => void>();
  let frozen = false;
  const proxy: DelayingProxy = {
    port: 0,
    delayMs,
    get frozen() {
      return frozen;
    },
    set frozen(value: boolean) {
      frozen = value;
      if (!value) for (const release of releases) release();
    },
    close: async () => undefined,
  };
  const forward = (from: Socket, to: Socket, delayed: boolean) => {
    const held: Buffer[] = [];
    const release = () => {
      if (!frozen) for (const chunk of held.splice(0)) to.write(chunk);
    };
    releases.add(release);
    from.on("close", () => releases.delete(release));
    from.on("data", (chunk: Buffer) => {
      if (!delayed || proxy.delayMs === 0) {
        held.push(chunk);
        return release();
      }
      from.pause();
      // A deliberate pause, not a wait for anything: it paces the traffic as a slow storage
      // service would, so the operation is still running when the test acts.
      setTimeout(() => {
        held.push(chunk);
        release();
        from.resume();
      }, proxy.delayMs);
    });
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    forward(client, upstream, true);
    forward(upstream, client, false);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
