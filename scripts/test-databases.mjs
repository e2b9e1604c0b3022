// Runs the test suite once per database engine: SQLite (the default), then PostgreSQL (a throwaway server
// the run starts itself, see test/global-setup.ts). Arguments go to `vitest run` (e.g. a file filter).
// WHARF_TEST_DB=sqlite or =postgres runs only that one. Ends with the combined "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const engines = process.env.WHARF_TEST_DB ? [process.env.WHARF_TEST_DB] : ['sqlite', 'postgres'];
const dir = mkdtempSync(join(tmpdir(), 'wharf-test-summary-'));
const total = { pass: 0, fail: 0, skip: 0 };
const lines = [];
let failed = false;
for (const engine of engines) {
  console.log(`\n=== test suite on ${engine} ===\n`);
  const summaryFile = join(dir, `${engine}.json`);
  const run = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, WHARF_TEST_DB: engine, WHARF_TEST_SUMMARY_FILE: summaryFile },
  });
  if (run.status !== 0) failed = true;
  let count;
  try {
    count = JSON.parse(readFileSync(summaryFile, 'utf8'));
  } catch {
    count = { pass: 0, fail: 1, skip: 0 }; // the runner died before reporting: count it as a failure
  }
  for (const k of Object.keys(total)) total[k] += count[k];
  lines.push(`${engine}: ${count.pass} passed, ${count.fail} failed, ${count.skip} skipped`);
}
rmSync(dir, { recursive: true, force: true });
console.log(`\n${lines.join('\n')}\n${total.pass} passed, ${total.fail} failed, ${total.skip} skipped`);
process.exit(failed || total.fail ? 1 : 0);
