#!/usr/bin/env node
// Prints the plain closing line of a vitest JSON report ("tests: N passed, N failed")
// and fails when the report is missing, empty, or counts a skipped/todo test.
import { readFileSync, existsSync } from "node:fs";

const file = process.argv[2] ?? ".mqk/test-results.json";
if (!existsSync(file)) {
  console.error(`test-summary: expected the vitest JSON report at ${file}, found nothing; run the tests first`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, "utf8"));
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const failedSuites = report.numFailedTestSuites ?? 0;
console.log(`tests: ${passed} passed, ${failed} failed`);
if (skipped > 0) console.error(`test-summary: ${skipped} skipped or todo test(s); a safety test must run or fail`);
if (passed === 0) console.error("test-summary: no test ran");
process.exit(failed > 0 || failedSuites > 0 || skipped > 0 || passed === 0 ? 1 : 0);
