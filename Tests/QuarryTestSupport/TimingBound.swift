import Foundation
import Testing

/// Checks an upper bound on elapsed time or CPU use (a cancelled request ends within a second, 1,000
/// concurrent requests take seconds, not minutes). Such a bound measures the machine as much as the code:
/// it holds when the test has the cores to itself, which is how `make test` runs the suites that have one
/// (its second phase: one test at a time, with `QUARRY_TIMING_BOUNDS=strict`), and there a miss fails the
/// test. In any other run, where the rest of the suite shares the two cores, a miss is recorded as a known,
/// intermittent issue: reported with its figures, without failing the run.
public func expectWithinBound(_ held: Bool, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
    if ProcessInfo.processInfo.environment["QUARRY_TIMING_BOUNDS"] == "strict" {
        #expect(held, comment, sourceLocation: sourceLocation)
    } else {
        withKnownIssue("timing bound missed while other suites ran in parallel", isIntermittent: true, sourceLocation: sourceLocation) {
            #expect(held, comment, sourceLocation: sourceLocation)
        }
    }
}
