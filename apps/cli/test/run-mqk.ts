import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

export const repoRoot = path.resolve(import.meta.dirname, "../../..");
const main = path.join(repoRoot, "apps/cli/src/main.ts");
// Absolute, so the CLI also starts from a working directory outside the repository.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface MqkRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI in a child process, exactly as `pnpm mqk` does. */
export function runMqk(args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): MqkRun {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const result = spawnSync(process.execPath, ["--conditions=@mqk/source", "--import", tsx, main, ...args], {
    cwd: options.cwd ?? repoRoot,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the real CLI as a child process with piped streams (for tests that read as it writes). */
export function spawnMqk(args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ["--conditions=@mqk/source", "--import", tsx, main, ...args], { cwd: repoRoot, stdio: "pipe" });
}
