import { spawn } from "node:child_process";

/**
 * Runs a client program (node or python) as an application would run: configured by its
 * environment only (the test's AZURE_* variables, none inherited), printing one JSON document.
 */
export function runClient(
  command: string,
  args: string[],
  env: Record<string, string>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<any> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("AZURE_") && !name.startsWith("MSI_")),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...inherited, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0)
        return reject(new Error(`${args.join(" ")} exited ${code ?? signal}:\n${stderr}\n${stdout}`));
      try {
        resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? ""));
      } catch {
        reject(new Error(`${args.join(" ")} printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}
