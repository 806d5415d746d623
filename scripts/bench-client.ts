import { isIP } from "node:net";
import { type TLSSocket, connect } from "node:tls";

/**
 * The bench's load generator: HTTP/1.1 over keep-alive TLS connections, one request in flight
 * per connection, with a bearer token fetched once as an SDK caches it. It is deliberately
 * lean (request bytes written directly, only the status line and Content-Length read back)
 * because it shares the machine's CPUs with the server it measures: every microsecond the
 * client spends is one the server does not get. The server side is the full path all the same.
 */
export class BenchHttpsClient {
  readonly #url: URL;
  readonly #idle: Connection[] = [];
  readonly #waiting: Array<(connection: Connection) => void> = [];
  #open = 0;

  constructor(
    baseUrl: string,
    private readonly ca: string,
    private readonly token: string,
    private readonly connections: number,
  ) {
    this.#url = new URL(baseUrl);
  }

  /**
   * Sends the request; resolves with the parsed JSON body, rejects on any other status than
   * `expected` (200 unless said). A
   * keep-alive connection the server closed while it sat idle (its keep-alive timeout) is
   * replaced and the request sent again once, as HTTP clients do.
   */
  async send(method: string, path: string, body?: string, expected = 200): Promise<unknown> {
    try {
      return await this.sendOnce(method, path, body, expected);
    } catch (error) {
      if (!(error instanceof ConnectionClosedError)) throw error;
      return this.sendOnce(method, path, body, expected);
    }
  }

  private async sendOnce(
    method: string,
    path: string,
    body: string | undefined,
    expected: number,
  ): Promise<unknown> {
    const connection = await this.acquire();
    try {
      const head =
        `${method} ${path} HTTP/1.1\r\nhost: ${this.#url.host}\r\nauthorization: Bearer ${this.token}\r\n` +
        (body !== undefined
          ? `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
          : "\r\n");
      const response = await connection.exchange(head);
      if (response.status !== expected)
        throw new Error(`${method} ${path}: ${response.status} ${response.body}`);
      return JSON.parse(response.body);
    } finally {
      this.release(connection);
    }
  }

  close(): void {
    for (const connection of this.#idle) connection.close();
    this.#idle.length = 0;
  }

  private acquire(): Promise<Connection> {
    for (let idle = this.#idle.pop(); idle; idle = this.#idle.pop()) {
      if (idle.usable) return Promise.resolve(idle);
      this.#open--; // closed by the server while idle
    }
    if (this.#open < this.connections) {
      this.#open++;
      return Connection.open(this.#url, this.ca).catch((error: unknown) => {
        this.#open--;
        throw error;
      });
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  private release(connection: Connection): void {
    if (!connection.usable) {
      this.#open--;
      return;
    }
    const next = this.#waiting.shift();
    if (next) next(connection);
    else this.#idle.push(connection);
  }
}

class ConnectionClosedError extends Error {
  constructor() {
    super("connection closed");
  }
}

class Connection {
  #buffer: Buffer = Buffer.alloc(0);
  #pending:
    | { resolve: (response: { status: number; body: string }) => void; reject: (error: Error) => void }
    | undefined;
  usable = true;

  private constructor(private readonly socket: TLSSocket) {
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    const fail = (error: Error) => {
      this.usable = false;
      this.#pending?.reject(error);
      this.#pending = undefined;
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new ConnectionClosedError()));
  }

  static open(url: URL, ca: string): Promise<Connection> {
    return new Promise((resolve, reject) => {
      // SNI only for DNS names (RFC 6066): the default bench server is 127.0.0.1.
      const servername = isIP(url.hostname) ? undefined : url.hostname;
      const socket = connect({ host: url.hostname, port: Number(url.port), ca, servername }, () =>
        resolve(new Connection(socket)),
      );
      socket.once("error", reject);
    });
  }

  exchange(request: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.usable = false;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const headerEnd = this.#buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) return;
    const head = this.#buffer.subarray(0, headerEnd).toString("latin1");
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) {
      this.usable = false;
      this.#pending?.reject(new Error("the bench client reads Content-Length responses only"));
      return;
    }
    const end = headerEnd + 4 + Number(length[1]);
    if (this.#buffer.length < end) return;
    const status = Number(head.slice(9, 12));
    const body = this.#buffer.subarray(headerEnd + 4, end).toString("utf8");
    this.#buffer = this.#buffer.subarray(end);
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.resolve({ status, body });
  }
}
