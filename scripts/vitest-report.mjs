// Reading a vitest JSON report, for the runners that end with `N passed, N failed, N skipped`
// (scripts/test.mjs, scripts/test-arm64.mjs).

/** Passed, failed and skipped tests; a file that failed to load (no test counted) counts as failed. */
export function reportCounts(report) {
  const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + brokenFiles,
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

/** `FAILED <label> <file> > <test>: <first line of the error>` for each failure; paths relative to `root`. */
export function failedTests(report, label, root) {
  const rel = (f) => (f.startsWith(root) ? f.slice(root.length + 1) : f);
  return report.testResults.flatMap((file) => {
    const failed = file.assertionResults.filter((t) => t.status === 'failed');
    if (file.status === 'failed' && failed.length === 0) return [`FAILED ${label} ${rel(file.name)}: ${firstLine(file.message)}`];
    return failed.map((t) => `FAILED ${label} ${rel(file.name)} > ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
  });
}

function firstLine(text) {
  return String(text ?? 'no message').split('\n').find((l) => l.trim())?.trim().slice(0, 300) ?? 'no message';
}
