import { writeFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import type { Reporter } from 'vitest/reporters';
import type { RunnerTask } from 'vitest';

/** Prints the plain closing line "N passed, N failed, N skipped" that CI reads. */
const summary: Reporter = {
  onFinished(files = []) {
    const count = { pass: 0, fail: 0, skip: 0 };
    const walk = (tasks: RunnerTask[]) => {
      for (const t of tasks) {
        if (t.type === 'suite') walk(t.tasks);
        else if (t.result?.state === 'pass') count.pass++;
        else if (t.result?.state === 'fail') count.fail++;
        else count.skip++;
      }
    };
    walk(files);
    console.log(`\n${count.pass} passed, ${count.fail} failed, ${count.skip} skipped`);
    // scripts/test-databases.mjs runs the suite once per database and adds the counts up.
    if (process.env.WHARF_TEST_SUMMARY_FILE) writeFileSync(process.env.WHARF_TEST_SUMMARY_FILE, JSON.stringify(count));
  },
};

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'], // the PostgreSQL server of WHARF_TEST_DB=postgres runs
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', summary],
  },
});
