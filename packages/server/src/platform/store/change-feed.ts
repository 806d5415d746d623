import { EventEmitter } from "node:events";
import pg from "pg";
import { type MetricsRecorder, NO_METRICS } from "../metrics/metrics-recorder.js";

/** What changed: role definitions/assignments, keys (any write), or jobs (start/finish). */
export type ChangeTopic = "rbac" | "keys" | "jobs";
const TOPICS: readonly string[] = ["rbac", "keys", "jobs"] satisfies ChangeTopic[];

/**
 * Tells every server node that shared state changed, so caches drop what is stale. One node:
 * an in-process event. Several nodes on PostgreSQL: NOTIFY on a channel every node LISTENs to,
 * delivered within milliseconds of the change. Caches keep a short lifetime besides, so a
 * notification lost while a node was disconnected costs at most that lifetime.
 */
export interface ChangeFeed {
  publish(topic: ChangeTopic): Promise<void>;
  subscribe(topic: ChangeTopic, listener: () => void): void;
  close(): Promise<void>;
}

export class LocalChangeFeed implements ChangeFeed {
  readonly #events = new EventEmitter();

  async publish(topic: ChangeTopic): Promise<void> {
    this.#events.emit(topic);
  }

  subscribe(topic: ChangeTopic, listener: () => void): void {
    this.#events.on(topic, listener);
  }

  async close(): Promise<void> {
    this.#events.removeAllListeners();
  }
}

const CHANNEL = "mhsm_changes";

export class PostgresChangeFeed implements ChangeFeed {
  readonly #local = new LocalChangeFeed();
  readonly #publisher: pg.Pool;
  #listener: pg.Client | undefined;
  #closed = false;
  #reconnectTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly connectionString: string,
    private readonly onTrouble: (message: string) => void,
    private readonly metrics: MetricsRecorder,
  ) {
    this.#publisher = new pg.Pool({ connectionString, max: 2, application_name: "mhsm-notify" });
    this.#publisher.on("error", () => undefined);
  }

  static async connect(
    connectionString: string,
    onTrouble: (message: string) => void,
    metrics: MetricsRecorder = NO_METRICS,
  ): Promise<PostgresChangeFeed> {
    const feed = new PostgresChangeFeed(connectionString, onTrouble, metrics);
    await feed.listen();
    return feed;
  }

  async publish(topic: ChangeTopic): Promise<void> {
    // This node's own caches hear it at once; the others through NOTIFY.
    await this.#local.publish(topic);
    // "<topic> <sent at, unix ms>": the receiver measures the feed's lag from it.
    await this.#publisher.query("SELECT pg_notify($1, $2)", [CHANNEL, `${topic} ${Date.now()}`]);
  }

  subscribe(topic: ChangeTopic, listener: () => void): void {
    this.#local.subscribe(topic, listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    await this.#listener?.end().catch(() => undefined);
    await this.#publisher.end().catch(() => undefined);
    await this.#local.close();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: "mhsm-listen",
    });
    client.on("notification", (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      // A node of an earlier version sends the topic alone.
      const [topic = "", sentAt] = message.payload.split(" ");
      if (!TOPICS.includes(topic)) return;
      const sentAtMs = Number(sentAt);
      if (sentAt !== undefined && Number.isFinite(sentAtMs))
        this.metrics.changeFeedLag((Date.now() - sentAtMs) / 1000);
      void this.#local.publish(topic as ChangeTopic);
    });
    client.on("error", () => this.reconnect(client));
    client.on("end", () => this.reconnect(client));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.#listener = client;
  }

  private reconnect(broken: pg.Client): void {
    if (this.#closed || this.#listener !== broken) return;
    this.#listener = undefined;
    this.onTrouble("lost the PostgreSQL change feed; reconnecting");
    this.metrics.changeFeedReconnect();
    const attempt = () => {
      if (this.#closed) return;
      this.listen().then(
        // Whatever was announced while we were away is unknown: drop every cache.
        () => {
          for (const topic of TOPICS) void this.#local.publish(topic as ChangeTopic);
        },
        () => {
          this.#reconnectTimer = setTimeout(attempt, 1000);
        },
      );
    };
    this.#reconnectTimer = setTimeout(attempt, 200);
  }
}
