// The server of startMhsm({ inProcess: false }), in its own process. Its configuration comes as
// JSON on argv; it prints one JSON line once it listens, and stops when its parent closes its
// stdin (the parent ended, even killed) or sends SIGTERM, so no server outlives the tests.
import { parseServerConfig, startServer } from "@mhsm/server";
import type { ReadyLine } from "./server-input.js";

const server = await startServer(parseServerConfig(JSON.parse(process.argv[2] as string)));
const ready: ReadyLine = { url: server.url, adminFile: server.initialAdminFile, caFile: server.caFile };
process.stdout.write(`${JSON.stringify(ready)}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exit(0);
}
process.stdin.on("end", () => void stop());
process.stdin.on("error", () => void stop());
process.stdin.resume();
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
