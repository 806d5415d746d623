import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import pg from "pg";
import { type MetricsRecorder, NO_METRICS } from "../metrics/metrics-recorder.js";

/** What changed: role definitions/assignments/principals, keys, or jobs (start/finish). */
export type ChangeTopic = "rbac" | "keys" | "jobs";
const TOPICS: readonly string[] = ["rbac", "keys", "jobs"] satisfies ChangeTopic[];

/**
 * Hears a change. `subject` narrows it when known (for "keys": the key's name in lower case);
 * undefined means anything under the topic may have changed.
 */
export type ChangeListener = (subject: string | undefined) => void;

/**
 * Tells every server node that shared state changed, so caches drop what is stale. One node:
 * an in-process event. Several nodes on PostgreSQL: NOTIFY on a channel every node LISTENs to,
 * sent by the database itself (triggers, migration 0010) in the writing transaction, so no
 * committed change goes unannounced, whichever node or tool made it and whenever it died.
 *
 * `deliveredThrough()` is what lets a cache keep an entry for longer than its freshness bound:
 * every change committed before that moment (this node's clock) has reached the subscribers.
 * A cache may use an entry read at `readAt` while `now - max(readAt, deliveredThrough())` is
 * within its bound: the entry can miss only changes committed since then.
 */
export interface ChangeFeed {
  publish(topic: ChangeTopic, subject?: string): Promise<void>;
  subscribe(topic: ChangeTopic, listener: ChangeListener): void;
  /** Unix ms before which every committed change has been delivered; Infinity: always current. */
  deliveredThrough(): number;
  close(): Promise<void>;
}

/** One node: every write is made in this process and announced here before it answers. */
export class LocalChangeFeed implements ChangeFeed {
  readonly #events = new EventEmitter();

  constructor() {
    // Every cache subscribes once per topic; many caches are not a leak.
    this.#events.setMaxListeners(0);
  }

  async publish(topic: ChangeTopic, subject?: string): Promise<void> {
    this.#events.emit(topic, subject);
  }

  subscribe(topic: ChangeTopic, listener: ChangeListener): void {
    this.#events.on(topic, listener);
  }

  deliveredThrough(): number {
    return Number.POSITIVE_INFINITY;
  }

  async close(): Promise<void> {
    this.#events.removeAllListeners();
  }
}

export const CHANGES_CHANNEL = "mhsm_changes";
/**
 * Topics the database announces itself (triggers on their tables): the application only tells
 * its own node's caches, at once. Jobs are announced by the application.
 */
const ANNOUNCED_BY_DATABASE: ReadonlySet<ChangeTopic> = new Set(["keys", "rbac"]);

export interface HeartbeatTiming {
  /** How often the listening connection proves it is alive and caught up. */
  intervalMs: number;
  /** A heartbeat unanswered this long: the connection is taken for dead and replaced. */
  deadAfterMs: number;
}
const HEARTBEAT: HeartbeatTiming = { intervalMs: 200, deadAfterMs: 3000 };

/**
 * Several nodes on PostgreSQL. Besides the changes channel, the listening connection LISTENs
 * on a channel of its own, where it sends itself a heartbeat every `intervalMs`. PostgreSQL
 * delivers notifications in commit order, so when a heartbeat sent at T comes back, every
 * change committed before T has been delivered: `deliveredThrough()` becomes T. A connection
 * that silently stopped (a half-open TCP connection, a frozen network) stops the heartbeats, so
 * caches fall back to their short freshness bound at once, and the connection is replaced.
 */
export class PostgresChangeFeed implements ChangeFeed {
  readonly #local = new LocalChangeFeed();
  readonly #publisher: pg.Pool;
  readonly #heartbeatChannel = `mhsm_heartbeat_${randomBytes(8).toString("hex")}`;
  #listener: pg.Client | undefined;
  #closed = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  /** The heartbeat awaited: its number and when it was sent. */
  #pending: { beat: number; sentAt: number } | undefined;
  #beats = 0;
  #deliveredThrough = Number.NEGATIVE_INFINITY;

  private constructor(
    private readonly connectionString: string,
    private readonly onTrouble: (message: string) => void,
    private readonly metrics: MetricsRecorder,
    private readonly heartbeat: HeartbeatTiming,
  ) {
    this.#publisher = new pg.Pool({ connectionString, max: 2, application_name: "mhsm-notify" });
    this.#publisher.on("error", () => undefined);
  }

  static async connect(
    connectionString: string,
    onTrouble: (message: string) => void,
    metrics: MetricsRecorder = NO_METRICS,
    heartbeat: HeartbeatTiming = HEARTBEAT,
  ): Promise<PostgresChangeFeed> {
    const feed = new PostgresChangeFeed(connectionString, onTrouble, metrics, heartbeat);
    await feed.listen();
    feed.#heartbeatTimer = setInterval(() => feed.beat(), heartbeat.intervalMs);
    feed.#heartbeatTimer.unref();
    return feed;
  }

  async publish(topic: ChangeTopic, subject?: string): Promise<void> {
    // This node's own caches hear it at once; the others through NOTIFY.
    await this.#local.publish(topic, subject);
    if (ANNOUNCED_BY_DATABASE.has(topic)) return;
    await this.#publisher.query("SELECT pg_notify($1, $2)", [CHANGES_CHANNEL, payload(topic, subject)]);
  }

  subscribe(topic: ChangeTopic, listener: ChangeListener): void {
    this.#local.subscribe(topic, listener);
  }

  deliveredThrough(): number {
    return this.#deliveredThrough;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#heartbeatTimer);
    await this.#listener?.end().catch(() => undefined);
    await this.#publisher.end().catch(() => undefined);
    await this.#local.close();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: "mhsm-listen",
      // A dead peer is noticed by the heartbeat; keepalive lets the kernel close the socket too,
      // and the timeouts keep a reconnection over a frozen network from waiting for ever.
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      query_timeout: 10_000,
    });
    client.on("notification", (message) => {
      if (message.channel === this.#heartbeatChannel) return this.heard(client, message.payload);
      if (message.channel !== CHANGES_CHANNEL || !message.payload) return;
      // "<topic> <sent at, unix ms> [<subject>]"; a node of an earlier version sends the topic alone.
      const [topic = "", sentAt, subject] = message.payload.split(" ");
      if (!TOPICS.includes(topic)) return;
      const sentAtMs = Number(sentAt);
      if (sentAt !== undefined && Number.isFinite(sentAtMs))
        this.metrics.changeFeedLag((Date.now() - sentAtMs) / 1000);
      void this.#local.publish(topic as ChangeTopic, subject || undefined);
    });
    client.on("error", () => this.reconnect(client));
    client.on("end", () => this.reconnect(client));
    await client.connect();
    // A heartbeat is a transaction (NOTIFY is delivered at commit) that need not be durable:
    // without this, each one would wait for a WAL flush, five times a second per node.
    await client.query("SET synchronous_commit TO off");
    await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    await client.query(`LISTEN ${this.#heartbeatChannel}`);
    this.#listener = client;
    this.#pending = undefined;
    this.beat();
  }

  /** Sends the next heartbeat, unless one is awaited; replaces a connection that stopped answering. */
  private beat(): void {
    const client = this.#listener;
    if (!client || this.#closed) return;
    const pending = this.#pending;
    if (pending) {
      if (Date.now() - pending.sentAt > this.heartbeat.deadAfterMs) {
        this.onTrouble("the PostgreSQL change feed stopped answering; reconnecting");
        // end() would wait on a connection that answers nothing: drop the socket instead.
        (
          client as unknown as { connection?: { stream?: { destroy(): void } } }
        ).connection?.stream?.destroy();
        this.reconnect(client);
      }
      return;
    }
    const beat = ++this.#beats;
    this.#pending = { beat, sentAt: Date.now() };
    client.query("SELECT pg_notify($1, $2)", [this.#heartbeatChannel, String(beat)]).catch(() => undefined);
  }

  private heard(client: pg.Client, beatText: string | undefined): void {
    const pending = this.#pending;
    if (client !== this.#listener || !pending || Number(beatText) !== pending.beat) return;
    this.#pending = undefined;
    // Not a running maximum: after the clock is set back, an old, later-looking proof must
    // not keep vouching for caches while the feed may be failing.
    this.#deliveredThrough = pending.sentAt;
    this.metrics.changeFeedHeartbeat(pending.sentAt);
  }

  private reconnect(broken: pg.Client): void {
    if (this.#closed || this.#listener !== broken) return;
    this.#listener = undefined;
    this.#pending = undefined;
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

/** A notification's text: "<topic> <sent at, unix ms>", then the subject when there is one. */
function payload(topic: ChangeTopic, subject: string | undefined): string {
  return subject === undefined ? `${topic} ${Date.now()}` : `${topic} ${Date.now()} ${subject}`;
}
