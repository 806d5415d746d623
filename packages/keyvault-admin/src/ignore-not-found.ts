import { isRestError } from "@azure/core-rest-pipeline";

/** Deletes are idempotent for callers: what is not there is as good as deleted. */
export async function ignoreNotFound(deletion: Promise<void>): Promise<void> {
  try {
    await deletion;
  } catch (error) {
    if (!(isRestError(error) && error.statusCode === 404)) throw error;
  }
}
