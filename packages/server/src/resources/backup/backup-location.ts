import { lstat, realpath } from "node:fs/promises";
import { isIP } from "node:net";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";

/** Where a backup lives: a blob container (plus folder) or a local directory. */
export type BackupLocation =
  | { kind: "azure"; containerUrl: string; folder: string }
  | { kind: "local"; root: string; folder: string; containerUrl: string };

const FOLDER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

/**
 * Parses `storageResourceUri` (+ a folder, for restores). Azure container URLs come in two
 * styles: https://<account>.blob.core.windows.net/<container>, and the path style of IP hosts
 * and emulators, http://127.0.0.1:10000/<account>/<container>. SDKs split a folder URL at the
 * first path segment, so for path-style URLs the "container" they send may be the account and
 * the "folder" may start with the container: joining and re-splitting handles both.
 *
 * Plain http is allowed only to loopback hosts (the storage emulator); file: URLs only inside
 * the configured local backup roots.
 */
export async function parseBackupLocation(
  storageResourceUri: string,
  folder: string | undefined,
  localRoots: string[],
): Promise<BackupLocation> {
  let url: URL;
  try {
    url = new URL(storageResourceUri);
  } catch {
    throw KeyVaultErrors.badParameter(
      `The storage resource URI '${clip(storageResourceUri)}' is not a valid URL.`,
    );
  }
  if (url.search || url.hash) {
    throw KeyVaultErrors.badParameter(
      "The storage resource URI must not carry a query string: give the SAS token in 'token'.",
    );
  }
  const segments = [...url.pathname.split("/"), ...(folder ?? "").split("/")]
    .filter((segment) => segment.length > 0)
    .map((segment) => decodeURIComponent(segment));

  if (url.protocol === "file:") return localLocation(url, folder, localRoots);
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw KeyVaultErrors.badParameter(
      "Backups over plain http are allowed only to a storage emulator on this machine; use https.",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw KeyVaultErrors.badParameter(
      `The storage resource URI must be https (or file: for a local folder), not ${url.protocol}`,
    );
  }
  const pathStyle = isIP(url.hostname.replace(/^\[|\]$/g, "")) !== 0 || url.hostname === "localhost";
  const containerDepth = pathStyle ? 2 : 1;
  if (segments.length < containerDepth) {
    throw KeyVaultErrors.badParameter(
      `The storage resource URI '${clip(storageResourceUri)}' does not name a blob container.`,
    );
  }
  const containerUrl = `${url.origin}/${segments.slice(0, containerDepth).map(encodeURIComponent).join("/")}`;
  const rest = segments.slice(containerDepth).join("/");
  if (folder !== undefined && !FOLDER.test(rest)) {
    throw KeyVaultErrors.badParameter(`The backup folder '${clip(folder)}' is not valid.`);
  }
  if (folder === undefined && rest.length > 0) {
    throw KeyVaultErrors.badParameter(
      "The storage resource URI must name a blob container, not a folder inside it.",
    );
  }
  return { kind: "azure", containerUrl, folder: rest };
}

async function localLocation(
  url: URL,
  folder: string | undefined,
  localRoots: string[],
): Promise<BackupLocation> {
  const requested = resolve(fileURLToPath(url));
  let actual: string;
  try {
    actual = await realpath(requested);
  } catch {
    throw KeyVaultErrors.badParameter(`The local backup folder '${clip(requested)}' does not exist.`);
  }
  const roots = await Promise.all(localRoots.map((root) => realpath(root).catch(() => resolve(root))));
  if (!roots.some((root) => actual === root || actual.startsWith(root + sep))) {
    throw KeyVaultErrors.badParameter(
      `The local folder '${clip(requested)}' is not inside a backup root this server allows.`,
    );
  }
  const name = (folder ?? "").replace(/^\/+|\/+$/g, "");
  if (folder !== undefined && !FOLDER.test(name))
    throw KeyVaultErrors.badParameter(`The backup folder '${clip(folder)}' is not valid.`);
  // The folder too may be a symbolic link: what it leads to must be inside the root as well.
  if (name && !(await leadsInside(join(actual, name), actual))) {
    throw KeyVaultErrors.badParameter(
      `The backup folder '${clip(name)}' leads outside the local backup root (a symbolic link).`,
    );
  }
  return { kind: "local", root: actual, folder: name, containerUrl: url.href.replace(/\/+$/, "") };
}

/**
 * Whether `path`, with every symbolic link resolved, stays inside `realRoot` (itself a real
 * path). A path that does not exist yet is inside when its nearest existing ancestor is.
 */
export async function leadsInside(path: string, realRoot: string): Promise<boolean> {
  let existing = resolve(path);
  for (;;) {
    try {
      const real = await realpath(existing);
      return real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") return false;
      // A link to nowhere (yet) would lead wherever it points once that is made.
      if (
        await lstat(existing).then(
          (stats) => stats.isSymbolicLink(),
          () => false,
        )
      )
        return false;
      const parent = dirname(existing);
      if (parent === existing) return false;
      existing = parent;
    }
  }
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

const clip = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);
