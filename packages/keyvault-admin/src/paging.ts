import {
  type PagedAsyncIterableIterator,
  type PageSettings,
  getPagedAsyncIterator,
} from "@azure/core-paging";

/** One page as the service returns it: items and the absolute link to the next page, if any. */
export interface ServicePage<T> {
  items: T[];
  nextLink?: string;
}

/** A page of a listing; `continuationToken` resumes `byPage` after it (undefined on the last page). */
export type ContinuablePage<T> = T[] & { continuationToken?: string };

/**
 * A `PagedAsyncIterableIterator` over a nextLink-paged list. The continuation token is the
 * service's absolute `nextLink`, so a listing can resume where another one stopped, even in
 * another process. Nothing is requested until the first `next()`.
 */
export function pagedList<T>(
  getPage: (nextLink: string | undefined) => Promise<ServicePage<T>>,
): PagedAsyncIterableIterator<T, T[], PageSettings> {
  // core-paging hands getPage the link to fetch; "" stands for "the first page".
  return getPagedAsyncIterator<T, ContinuablePage<T>, PageSettings, string>({
    firstPageLink: "",
    async getPage(pageLink) {
      const { items, nextLink } = await getPage(pageLink || undefined);
      const page: ContinuablePage<T> = items;
      page.continuationToken = nextLink;
      return { page, nextPageLink: nextLink };
    },
  });
}
