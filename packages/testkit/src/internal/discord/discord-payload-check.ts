/**
 * The fake's own reading of Discord's execute-webhook limits (API brief §3.2),
 * written independently of the router's truncation so one checks the other.
 * Lengths are counted in code points after trimming, as Discord counts.
 */
export interface PayloadProblem {
  readonly code: number;
  readonly status: number;
  readonly body: unknown;
}

const length = (text: string): number => [...text.trim()].length;

type ErrorTree = { [key: string]: ErrorTree | { code: string; message: string }[] };

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class Errors {
  readonly tree: ErrorTree = {};
  count = 0;

  add(path: readonly (string | number)[], code: string, message: string): void {
    let node: ErrorTree = this.tree;
    for (const key of path) {
      const next = node[String(key)];
      if (next === undefined || Array.isArray(next)) {
        const created: ErrorTree = {};
        node[String(key)] = created;
        node = created;
      } else node = next;
    }
    const list = node["_errors"];
    const entry = { code, message };
    if (Array.isArray(list)) list.push(entry);
    else node["_errors"] = [entry];
    this.count += 1;
  }
}

function checkString(errors: Errors, path: readonly (string | number)[], value: unknown, max: number, required = false): number {
  if (value === undefined || value === null) {
    if (required) errors.add(path, "BASE_TYPE_REQUIRED", "This field is required");
    return 0;
  }
  if (typeof value !== "string") {
    errors.add(path, "BASE_TYPE_STRING", "Must be a string.");
    return 0;
  }
  const n = length(value);
  if (n > max) errors.add(path, "BASE_TYPE_MAX_LENGTH", `Must be ${String(max)} or fewer in length.`);
  if (required && n === 0) errors.add(path, "BASE_TYPE_REQUIRED", "This field is required");
  return n;
}

function checkEmbed(errors: Errors, index: number, embed: unknown): number {
  const at = ["embeds", index];
  if (!isRecord(embed)) {
    errors.add(at, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType");
    return 0;
  }
  let total = checkString(errors, [...at, "title"], embed["title"], 256) + checkString(errors, [...at, "description"], embed["description"], 4096);
  const footer = embed["footer"];
  if (footer !== undefined) total += isRecord(footer) ? checkString(errors, [...at, "footer", "text"], footer["text"], 2048, true) : 0;
  const author = embed["author"];
  if (author !== undefined) total += isRecord(author) ? checkString(errors, [...at, "author", "name"], author["name"], 256, true) : 0;
  const colour = embed["color"];
  if (colour !== undefined && !(typeof colour === "number" && Number.isInteger(colour) && colour >= 0 && colour <= 0xffffff)) {
    errors.add([...at, "color"], "NUMBER_TYPE_MAX", "int value should be less than or equal to 16777215.");
  }
  const fields = embed["fields"];
  if (fields !== undefined) {
    if (!Array.isArray(fields)) errors.add([...at, "fields"], "BASE_TYPE_ARRAY", "Must be an array.");
    else {
      if (fields.length > 25) errors.add([...at, "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
      fields.forEach((field: unknown, j) => {
        if (!isRecord(field)) {
          errors.add([...at, "fields", j], "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType");
          return;
        }
        total += checkString(errors, [...at, "fields", j, "name"], field["name"], 256, true);
        total += checkString(errors, [...at, "fields", j, "value"], field["value"], 1024, true);
      });
    }
  }
  return total;
}

/** undefined when Discord would accept the body; else the status and error envelope it would send. */
export function checkExecutePayload(body: unknown): PayloadProblem | undefined {
  if (!isRecord(body)) return { code: 50109, status: 400, body: { code: 50109, message: "The request body contains invalid JSON." } };
  const errors = new Errors();
  const contentLength = checkString(errors, ["content"], body["content"], 2000);
  const username = body["username"];
  if (username !== undefined) {
    const n = checkString(errors, ["username"], username, 80);
    if (typeof username === "string" && (n === 0 || /clyde|discord/i.test(username))) errors.add(["username"], "USERNAME_INVALID", "Username is invalid.");
  }
  const embeds = body["embeds"];
  let embedCount = 0;
  if (embeds !== undefined && embeds !== null) {
    if (!Array.isArray(embeds)) errors.add(["embeds"], "BASE_TYPE_ARRAY", "Must be an array.");
    else {
      embedCount = embeds.length;
      if (embeds.length > 10) errors.add(["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.");
      const total = embeds.reduce((sum: number, embed: unknown, i) => sum + checkEmbed(errors, i, embed), 0);
      if (total > 6000) errors.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000");
    }
  }
  if (errors.count > 0) return { code: 50035, status: 400, body: { code: 50035, message: "Invalid Form Body", errors: errors.tree } };
  if (contentLength === 0 && embedCount === 0) return { code: 50006, status: 400, body: { code: 50006, message: "Cannot send an empty message" } };
  return undefined;
}
