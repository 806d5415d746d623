import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SelectQueryNode,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Dialect,
  type Kysely,
  type TransactionSettings,
} from "kysely";

/**
 * SQLite with reads beside the writer. Kysely's SQLite driver has one connection and lends it to
 * one user at a time, so a long write transaction (a full restore of 100,000 keys, chunk by
 * chunk from blob storage) made every other request wait for it, even a job status poll or the
 * readiness probe. Here a second, read-only connection to the same file answers every SELECT
 * made outside a transaction: in WAL mode it reads the last committed state without waiting for
 * the writer. Everything else — transactions, writes, raw SQL — goes to the writer as before,
 * one at a time.
 */
export class SplitSqliteDialect implements Dialect {
  constructor(
    private readonly writer: SqliteDatabase,
    private readonly reader: SqliteDatabase,
  ) {}

  createDriver(): Driver {
    return new SplitSqliteDriver(
      new SqliteDriver({ database: this.writer }),
      new SqliteDriver({ database: this.reader }),
    );
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new SqliteIntrospector(db);
  }
}

class SplitSqliteDriver implements Driver {
  constructor(
    private readonly writer: SqliteDriver,
    private readonly reader: SqliteDriver,
  ) {}

  async init(): Promise<void> {
    await this.writer.init();
    await this.reader.init();
  }

  /** A handle that holds no connection until it runs a query or begins a transaction. */
  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutingConnection(this.writer, this.reader);
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    const routing = connection as RoutingConnection;
    const writer = await this.writer.acquireConnection();
    try {
      // SQLite transactions have no isolation level or access mode to set.
      await this.writer.beginTransaction(writer);
    } catch (error) {
      await this.writer.releaseConnection();
      throw error;
    }
    routing.transaction = writer;
  }

  /**
   * A failed COMMIT keeps the writer: Kysely then calls rollbackTransaction, which must still
   * find the transaction (on a full disk SQLite may have rolled it back already; the ROLLBACK is
   * then a no-op, sqlite-database.ts) and is what gives the writer back.
   */
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const routing = connection as RoutingConnection;
    await this.writer.commitTransaction(openTransaction(routing));
    await this.giveBack(routing);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const routing = connection as RoutingConnection;
    if (!routing.transaction) return;
    try {
      await this.writer.rollbackTransaction(routing.transaction);
    } finally {
      await this.giveBack(routing);
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    // A transaction always ends in commit or rollback, which gave the writer back; this is a guard.
    await this.giveBack(connection as RoutingConnection);
  }

  async destroy(): Promise<void> {
    await this.reader.destroy();
    await this.writer.destroy();
  }

  /** Releases the writer this handle holds, once; a handle without a transaction holds none. */
  private async giveBack(routing: RoutingConnection): Promise<void> {
    if (!routing.transaction) return;
    routing.transaction = undefined;
    await this.writer.releaseConnection();
  }
}

function openTransaction(routing: RoutingConnection): DatabaseConnection {
  if (!routing.transaction) throw new Error("no transaction is open on this connection");
  return routing.transaction;
}

/**
 * Runs each query where it belongs: in the open transaction if there is one; a SELECT on the
 * reader; anything else on the writer, waiting for it like every other write.
 */
class RoutingConnection implements DatabaseConnection {
  /** The writer's connection while a transaction is open on this handle. */
  transaction: DatabaseConnection | undefined;

  constructor(
    private readonly writer: SqliteDriver,
    private readonly reader: SqliteDriver,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.transaction) return this.transaction.executeQuery<R>(query);
    const driver = SelectQueryNode.is(query.query) ? this.reader : this.writer;
    const connection = await driver.acquireConnection();
    try {
      return await connection.executeQuery<R>(query);
    } finally {
      await driver.releaseConnection();
    }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    if (this.transaction) {
      yield* this.transaction.streamQuery<R>(query, chunkSize);
      return;
    }
    const driver = SelectQueryNode.is(query.query) ? this.reader : this.writer;
    const connection = await driver.acquireConnection();
    try {
      yield* connection.streamQuery<R>(query, chunkSize);
    } finally {
      await driver.releaseConnection();
    }
  }
}
