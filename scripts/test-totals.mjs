// The closing line of scripts/test.sh: the totals of every vitest JSON report
// the run was meant to write: each tested package's test-output/vitest-report.json,
// plus the reports named on the command line (the runs under faketime). A
// report that is missing (a build failed, vitest crashed, the tests never ran)
// and a test file that failed to load each count as a failure, so the line can
// never say "0 failed" for a run that failed. Exit status 1 when anything failed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const REPORT = path.join('test-output', 'vitest-report.json');

/** Every workspace package with a test script, as a path relative to the root. */
function testedPackages() {
  const out = [];
  for (const group of ['packages', 'internal']) {
    for (const name of readdirSync(path.join(root, group)).sort()) {
      const manifest = path.join(root, group, name, 'package.json');
      if (!existsSync(manifest)) continue;
      if (JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) out.push(path.join(group, name));
    }
  }
  return out;
}

function firstLine(text) {
  return String(text ?? '').replace(/\x1b\[[0-9;]*m/g, '').trim().split('\n')[0] ?? '';
}

function totals() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const problems = [];
  const expected = [...testedPackages().map((pkg) => path.join(pkg, REPORT)), ...process.argv.slice(2)];
  for (const reportPath of expected) {
    const file = path.resolve(root, reportPath);
    // `packages/pulse` for the main run, `packages/pulse [clock-3]` for a run under faketime.
    const label = path.relative(root, file).replace(/\/test-output\/vitest-report\.json$/, '').replace(/\/test-output\/vitest-(.+)\.json$/, ' [$1]');
    if (!existsSync(file)) {
      failed += 1;
      problems.push(`${label}: no test report (the tests did not run, or vitest crashed)`);
      continue;
    }
    let report;
    try {
      report = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      failed += 1;
      problems.push(`${label}: unreadable test report: ${e.message}`);
      continue;
    }
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    let counted = report.numFailedTests ?? 0;
    for (const result of report.testResults ?? []) {
      const where = path.relative(root, result.name ?? '');
      const failedTests = (result.assertionResults ?? []).filter((t) => t.status === 'failed');
      for (const t of failedTests) problems.push(`${where}: ${t.fullName ?? t.title} (${label})`);
      if (result.status === 'failed' && failedTests.length === 0) {
        // The file failed as a whole: it did not load, or a hook threw.
        failed += 1;
        counted += 1;
        problems.push(`${where}: failed to load or run (${label}): ${firstLine(result.message)}`);
      }
    }
    if (report.success === false && counted === 0) {
      failed += 1;
      problems.push(`${label}: vitest reported a failed run (see its output above)`);
    }
  }
  return { passed, failed, skipped, problems };
}

const { passed, failed, skipped, problems } = totals();
for (const p of problems) console.log(`svcmon: FAILED ${p}`);
console.log(`svcmon: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
