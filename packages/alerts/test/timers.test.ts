import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/heartbeat-does-not-hold-process.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

describe("timers", () => {
  it("S1.6: heartbeat and retry timers are unref'd: a process with a running router exits on its own", async () => {
    const child = spawn(process.execPath, ["--conditions=@mqk/source", "--import", "tsx", fixture], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)));
    clearTimeout(killer);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: "started\n", stderr: "" });
  });
});
