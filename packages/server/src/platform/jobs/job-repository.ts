import type { ExpressionBuilder, Kysely } from "kysely";
import type { Barrier } from "../barrier/barrier.js";
import type { Job, JobKind, JobStatus } from "./job-model.js";
import type { Database, JobTable } from "../store/schema.js";

/** Job rows. The request (with any SAS token) is sealed: it never sits in the database in plain text. */
export class JobRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly barrier: Barrier,
  ) {}

  async insert(job: Job, request: unknown, lease: { owner: string; expiresAt: number }): Promise<void> {
    await this.db
      .insertInto("jobs")
      .values({
        id: job.id,
        kind: job.kind,
        status: job.status,
        status_details: job.statusDetails,
        error_code: job.error?.code ?? null,
        error_message: job.error?.message ?? null,
        start_time: job.startTime,
        end_time: job.endTime,
        result_uri: job.resultUri,
        request_sealed: this.barrier.seal(JSON.stringify(request), requestIdentity(job.id)),
        exclusive: job.exclusive ? 1 : 0,
        created_by: job.createdBy,
        lease_owner: lease.owner,
        lease_expires_at: lease.expiresAt,
      })
      .execute();
  }

  async get(id: string): Promise<Job | undefined> {
    const row = await this.db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toModel(row);
  }

  async request(id: string): Promise<unknown> {
    const row = await this.db
      .selectFrom("jobs")
      .select("request_sealed")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    return JSON.parse(this.barrier.openString(row.request_sealed, requestIdentity(id)));
  }

  async runningExclusive(): Promise<Job | undefined> {
    const row = await this.db
      .selectFrom("jobs")
      .selectAll()
      .where("status", "=", "InProgress")
      .where("exclusive", "=", 1)
      .executeTakeFirst();
    return row && toModel(row);
  }

  async listInProgress(): Promise<Job[]> {
    const rows = await this.db.selectFrom("jobs").selectAll().where("status", "=", "InProgress").execute();
    return rows.map(toModel);
  }

  /** Extends this node's claim on its running jobs. */
  async renewLeases(ids: string[], owner: string, expiresAt: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable("jobs")
      .set({ lease_expires_at: expiresAt })
      .where("id", "in", ids)
      .where("lease_owner", "=", owner)
      .where("status", "=", "InProgress")
      .execute();
  }

  /**
   * Running jobs nobody is running any more: their lease ran out, or they belong to this node's
   * previous life (`deadOwner`), or they predate leases.
   */
  async listAbandoned(now: number, deadOwner: string): Promise<Job[]> {
    const rows = await this.db
      .selectFrom("jobs")
      .selectAll()
      .where("status", "=", "InProgress")
      .where((eb) => abandoned(eb, now, deadOwner))
      .execute();
    return rows.map(toModel);
  }

  /** Fails a job only if it is still abandoned: a lease renewed in the meantime wins. Returns whether it did. */
  async failIfAbandoned(
    id: string,
    now: number,
    deadOwner: string,
    outcome: { endTime: number; error: { code: string; message: string } },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable("jobs")
      .set({
        status: "Failed",
        end_time: outcome.endTime,
        error_code: outcome.error.code,
        error_message: outcome.error.message,
      })
      .where("id", "=", id)
      .where("status", "=", "InProgress")
      .where((eb) => abandoned(eb, now, deadOwner))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async countRunning(kind: JobKind): Promise<number> {
    const row = await this.db
      .selectFrom("jobs")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "InProgress")
      .where("kind", "=", kind)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async setDetails(id: string, statusDetails: string): Promise<void> {
    await this.db
      .updateTable("jobs")
      .set({ status_details: statusDetails })
      .where("id", "=", id)
      .where("status", "=", "InProgress")
      .execute();
  }

  /** Ends a job once; a job already ended stays as it was. */
  async finish(
    id: string,
    outcome: {
      status: Exclude<JobStatus, "InProgress">;
      endTime: number;
      statusDetails?: string | null;
      error?: { code: string; message: string } | null;
      resultUri?: string | null;
    },
  ): Promise<void> {
    await this.db
      .updateTable("jobs")
      .set({
        status: outcome.status,
        end_time: outcome.endTime,
        status_details: outcome.statusDetails ?? null,
        error_code: outcome.error?.code ?? null,
        error_message: outcome.error?.message ?? null,
        result_uri: outcome.resultUri ?? null,
      })
      .where("id", "=", id)
      .where("status", "=", "InProgress")
      .execute();
  }
}

const requestIdentity = (id: string) => `jobs/${id}/request`;

/** A running job nobody runs: lease run out, owned by this node's previous life, or from before leases. */
function abandoned(eb: ExpressionBuilder<Database, "jobs">, now: number, deadOwner: string) {
  return eb.or([
    eb("lease_expires_at", "<", now),
    eb("lease_owner", "=", deadOwner),
    eb("lease_owner", "is", null),
  ]);
}

function toModel(row: JobTable): Job {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    status: row.status as JobStatus,
    statusDetails: row.status_details,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? "" } : null,
    startTime: Number(row.start_time),
    endTime: row.end_time === null ? null : Number(row.end_time),
    resultUri: row.result_uri,
    exclusive: Number(row.exclusive) === 1,
    createdBy: row.created_by,
  };
}
