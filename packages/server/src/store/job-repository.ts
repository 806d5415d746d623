import type { Kysely } from "kysely";
import type { Barrier } from "../barrier/barrier.js";
import type { Job, JobKind, JobStatus } from "../jobs/job-model.js";
import type { Database, JobTable } from "./schema.js";

/** Job rows. The request (with any SAS token) is sealed: it never sits in the database in plain text. */
export class JobRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly barrier: Barrier,
  ) {}

  async insert(job: Job, request: unknown): Promise<void> {
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
