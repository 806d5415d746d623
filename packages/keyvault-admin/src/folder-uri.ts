/**
 * Splits a backup folder's URI (`<container URI>/<folder name>`, a backup result's `folderUri`)
 * into the container the service reads from and the folder it restores.
 */
export function folderUriParts(folderUri: string): { containerUri: string; folderName: string } {
  const segments = folderUri.split("/");
  const folderName = segments.pop();
  if (!folderName) throw new Error("The provided folder URI is missing the folder name.");
  return { containerUri: segments.join("/"), folderName };
}
