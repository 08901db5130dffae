import { constants } from "node:fs";
import { access, mkdtemp, readdir, rm, stat, statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeskError, err, errorMessage, ok, type Result } from "@mqk/core";
import { runningPostmaster, startEmbeddedServer } from "../embedded-server.js";
import { noDatabaseMessage } from "../instructions.js";
import { redactText, redactUrl } from "../redact.js";
import { importFromDb, pg } from "../runtime-deps.js";

/**
 * G1: which PostgreSQL server the test run uses, and getting it — or failing
 * loudly with instructions. Never a skip.
 *   MQK_TEST_DB=testcontainers          → @testcontainers/postgresql (needs a Docker engine)
 *   MQK_TEST_DB=embedded                → one embedded Postgres in a fresh temp dir
 *   MQK_TEST_DB unset, MQK_DATABASE_URL → that server (tests create databases on it)
 *   neither                             → embedded
 */
export type TestDbSelection = { readonly kind: "url"; readonly url: string } | { readonly kind: "embedded" } | { readonly kind: "testcontainers" };

export const TEST_DB_CHOICES = ["embedded", "testcontainers", "url"] as const;

export function selectTestDatabase(env: Readonly<Record<string, string | undefined>>): Result<TestDbSelection, string> {
  const choice = (env["MQK_TEST_DB"] ?? "").trim();
  const url = (env["MQK_DATABASE_URL"] ?? "").trim();
  switch (choice) {
    case "testcontainers":
      return ok({ kind: "testcontainers" });
    case "embedded":
      return ok({ kind: "embedded" });
    case "url":
      if (url === "") return err("MQK_TEST_DB=url but MQK_DATABASE_URL is not set; set it to postgres://USER:PASSWORD@HOST:PORT/DATABASE");
      return ok({ kind: "url", url });
    case "":
      return ok(url === "" ? { kind: "embedded" } : { kind: "url", url });
    default:
      return err(`MQK_TEST_DB=${JSON.stringify(choice.slice(0, 40))} is not a choice; expected one of ${TEST_DB_CHOICES.join(", ")} (or unset)`);
  }
}

export interface TestServer {
  /** Admin URL WITH password (to the maintenance database). Never log it: use `description`. */
  readonly adminUrl: string;
  readonly description: string;
  stop(): Promise<void>;
}

export interface AcquireOptions {
  /** Parent of the embedded cluster's fresh temp dir; default: see defaultTestClusterRoot. */
  readonly tempRoot?: string;
  readonly connectTimeoutMs?: number;
}

const WHAT = "the test run";

export async function acquireTestServer(selection: TestDbSelection, options: AcquireOptions = {}): Promise<TestServer> {
  switch (selection.kind) {
    case "url": {
      const description = `MQK_DATABASE_URL (${redactUrl(selection.url)})`;
      await checkReachable(selection.url, description, options.connectTimeoutMs ?? 5_000);
      return { adminUrl: selection.url, description, stop: () => Promise.resolve() };
    }
    case "embedded":
      return startEmbeddedForTests(options.tempRoot ?? (await defaultTestClusterRoot()));
    case "testcontainers":
      return startTestcontainer();
  }
}

/** Env var naming the parent directory of the test cluster's temp dir. */
export const TEST_CLUSTER_DIR_ENV = "MQK_TEST_PG_DIR";

/**
 * Where the throwaway test cluster lives: MQK_TEST_PG_DIR when set; else /dev/shm
 * when it is a writable tmpfs with room (CREATE DATABASE … TEMPLATE, once per test
 * file, takes ~10 ms there against ~400 ms on an ordinary disk); else os.tmpdir().
 */
export async function defaultTestClusterRoot(env: Readonly<Record<string, string | undefined>> = process.env): Promise<string> {
  const chosen = (env[TEST_CLUSTER_DIR_ENV] ?? "").trim();
  if (chosen !== "") return chosen;
  const shm = "/dev/shm";
  try {
    await access(shm, constants.W_OK);
    const fs = await statfs(shm);
    if (fs.bavail * fs.bsize >= 1024 * 1024 * 1024) return shm;
  } catch {
    // no usable /dev/shm (macOS, small containers): the ordinary temp dir will do
  }
  return tmpdir();
}

async function checkReachable(url: string, description: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (cause) {
    throw new DeskError("DB_UNAVAILABLE", noDatabaseMessage(WHAT, `${description} is not reachable (${redactText(errorMessage(cause))})`), { cause });
  } finally {
    await client.end().catch(() => undefined);
  }
}

const CLUSTER_PREFIX = "mqk-test-pg-";
const STALE_AFTER_MS = 15 * 60_000;

/**
 * Removes test clusters that a killed run left behind (their temp dir may be in
 * /dev/shm, i.e. RAM): only our prefix, only older than 15 minutes, only when no
 * live postmaster holds them. Best effort: a failure here never fails the run.
 */
export async function sweepStaleTestClusters(root: string, nowMs: number = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = (await readdir(root)).filter((n) => n.startsWith(CLUSTER_PREFIX));
  } catch {
    return removed; // an unreadable root is reported by mkdtemp right after
  }
  for (const name of names) {
    const dir = join(root, name);
    try {
      const info = await stat(dir);
      if (!info.isDirectory() || nowMs - info.mtimeMs < STALE_AFTER_MS) continue;
      if ((await runningPostmaster(join(dir, "cluster"))) !== undefined) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      continue; // raced with its owner or another sweeper: leave it
    }
  }
  return removed;
}

async function startEmbeddedForTests(tempRoot: string): Promise<TestServer> {
  await sweepStaleTestClusters(tempRoot);
  let dir: string;
  try {
    dir = await mkdtemp(join(tempRoot, CLUSTER_PREFIX));
  } catch (cause) {
    throw new DeskError(
      "DB_UNAVAILABLE",
      noDatabaseMessage(WHAT, `the embedded Postgres could not get a temp dir under ${tempRoot} (${errorMessage(cause)})`),
      { cause },
    );
  }
  try {
    const server = await startEmbeddedServer({ dataDir: dir, durable: false });
    return {
      adminUrl: server.adminUrl,
      description: `embedded Postgres on 127.0.0.1:${String(server.port)} (data in ${dir})`,
      stop: async () => {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (cause) {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw cause;
  }
}

interface StartedContainer {
  getConnectionUri(): string;
  stop(): Promise<unknown>;
}
interface ContainerBuilder {
  start(): Promise<StartedContainer>;
}

async function startTestcontainer(): Promise<TestServer> {
  const instructions =
    "MQK_TEST_DB=testcontainers needs a running Docker (or compatible) engine reachable through DOCKER_HOST or /var/run/docker.sock. " +
    "Start one, or unset MQK_TEST_DB to use the embedded Postgres, or set MQK_DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE";
  let container: StartedContainer;
  try {
    const mod = await importFromDb("@testcontainers/postgresql");
    const Ctor = Reflect.get(mod as object, "PostgreSqlContainer") as new (image: string) => ContainerBuilder;
    container = await new Ctor("postgres:15-alpine").start();
  } catch (cause) {
    throw new DeskError(
      "DB_UNAVAILABLE",
      `No PostgreSQL database could be had for ${WHAT}: the testcontainers engine failed (${redactText(errorMessage(cause))}). ${instructions}.`,
      { cause },
    );
  }
  return {
    adminUrl: container.getConnectionUri(),
    description: `testcontainers postgres:15-alpine (${redactUrl(container.getConnectionUri())})`,
    stop: async () => {
      await container.stop();
    },
  };
}
