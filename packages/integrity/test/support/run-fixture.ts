import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

export interface ChildOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `test/fixtures/<name>` in a real child process (its own pool, its own system clock)
 * against the database at `connectionString`, with `args` after it; `killOn` SIGKILLs it
 * once its stdout contains that text (a crash). A child still running after 25 s is killed.
 */
export function runFixture(name: string, connectionString: string, args: readonly string[] = [], killOn?: string): Promise<ChildOutcome> {
  const file = fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
  const child = spawn(process.execPath, ["--conditions=@mqk/source", "--import", "tsx", file, connectionString, ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    if (killOn !== undefined && stdout.includes(killOn)) child.kill("SIGKILL");
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const guard = setTimeout(() => child.kill("SIGKILL"), 25_000);
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}
