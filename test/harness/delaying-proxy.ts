import { type Server, type Socket, connect, createServer } from "node:net";

export interface DelayingProxy {
  port: number;
  /** Milliseconds each chunk from the client waits before it is forwarded; change at any time. */
  delayMs: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback that forwards to a real service (Azurite) after a delay, so a test
 * can hold a long-running operation open long enough to act while it runs. Nothing is faked:
 * every byte reaches the real service and comes back.
 */
export async function startDelayingProxy(targetPort: number, delayMs: number): Promise<DelayingProxy> {
  const sockets = new Set<Socket>();
  const proxy: DelayingProxy = { port: 0, delayMs, close: async () => undefined };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.on("data", (chunk: Buffer) => {
      client.pause();
      // A deliberate pause, not a wait for anything: it paces the traffic as a slow storage
      // service would, so the operation is still running when the test acts.
      setTimeout(() => {
        upstream.write(chunk);
        client.resume();
      }, proxy.delayMs);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
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
  proxy.port = (server.address() as import("node:net").AddressInfo).port;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
