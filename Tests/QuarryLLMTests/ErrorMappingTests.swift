import Foundation
import QuarryHTTP
import QuarryLLM
import QuarryQueue
import Testing

@Suite("Endpoint errors → queue actions (pure)")
struct ErrorMappingTests {
    @Test("Retry-After in seconds, HTTP-date and retry-after-ms")
    func retryAfter() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RetryAfter.parse(["Retry-After": "7"], now: now) == .seconds(7))
        #expect(RetryAfter.parse(["retry-after": "1.5"], now: now) == .milliseconds(1_500))
        #expect(RetryAfter.parse(["Retry-After": "7", "retry-after-ms": "2500"], now: now) == .milliseconds(2_500))
        let date = RetryAfter.httpDate("Tue, 14 Nov 2023 22:13:50 GMT")
        #expect(date == Date(timeIntervalSince1970: 1_700_000_030))
        #expect(RetryAfter.parse(["Retry-After": "Tue, 14 Nov 2023 22:13:50 GMT"], now: now) == .seconds(30))
        #expect(RetryAfter.parse(["Retry-After": "Tue, 14 Nov 2023 22:00:00 GMT"], now: now) == .zero)
        #expect(RetryAfter.parse(["Retry-After": "soon"], now: now) == nil)
    }

    @Test("each code maps to its action")
    func mapping() {
        func action(_ code: LLMError.Code, status: Int? = nil, retryAfter: Duration? = nil, auth: Int = 0) -> TaskError.Action {
            LLMError(code: code, endpoint: "e", status: status, message: "m", retryAfter: retryAfter, authFailuresInARow: auth, budgetUSD: 2.5)
                .taskError.action
        }
        if case .snooze(let after) = action(.rateLimited, retryAfter: .seconds(3)) {
            #expect(after >= .seconds(3) && after <= .milliseconds(3_600))
        } else {
            Issue.record("429 should snooze")
        }
        if case .snooze = action(.unavailable, retryAfter: .seconds(1)) {} else { Issue.record("503 with Retry-After should snooze") }
        #expect(action(.unavailable) == .retry(after: nil))
        for code in [LLMError.Code.serverError, .timeout, .connectionReset, .connectFailed, .malformedResponse] {
            #expect(action(code) == .retry(after: nil), "\(code)")
        }
        for code in [LLMError.Code.badRequest, .contextLengthExceeded, .notFound, .payloadTooLarge, .unprocessable, .invalidOutput] {
            #expect(action(code) == .dead, "\(code)")
        }
        #expect(action(.unauthorized, status: 401, auth: 2) == .retry(after: .seconds(5)))
        if case .pauseBuild = action(.unauthorized, status: 401, auth: 3) {} else { Issue.record("third 401 should pause") }
        #expect(action(.budgetExhausted) == .pauseBuild(reason: "budget of $2.50 reached"))
        #expect(LLMError.budgetReason(0.001) == "budget of $0.001 reached")
    }
}
