/**
 * Prints the one-line summary CI reads, after Jest's own report: "N passed, N failed".
 * Suites that could not run (a syntax or import error) count as failures.
 */
class SummaryReporter {
    onRunComplete(_contexts, results) {
        const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
        process.stdout.write(`${results.numPassedTests} passed, ${failed} failed\n`);
    }
}
module.exports = SummaryReporter;
