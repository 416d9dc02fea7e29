import Foundation
import QuarryQueue

extension LLMError {
    /// Authentication failures in a row from one endpoint before the build is paused: one or two can be a
    /// key being rotated; three means the credentials are wrong and every task would fail the same way.
    public static let authFailuresBeforePause = 3

    /// What the queue should do about this failure:
    /// - 429, and 503 with Retry-After: snooze for that long (no attempt consumed); the service has already
    ///   slowed its rate for the endpoint. A 429 without Retry-After snoozes for the endpoint's cooldown.
    /// - other 5xx, timeouts, resets, refused connections, malformed bodies, database trouble: retry
    ///   (an attempt is consumed).
    /// - 400/404/413/422, context length, output that stayed unusable after repair: dead, with the
    ///   endpoint's message (and the raw output).
    /// - 401/403 three times in a row, budget spent, missing key: pause the build.
    /// - an endpoint this worker's file lacks: release the task to workers that have it.
    public var taskError: TaskError {
        var error = baseTaskError
        error.signature = failureSignature
        return error
    }

    private var baseTaskError: TaskError {
        switch code {
        case .rateLimited:
            return .snooze(code.rawValue, message, after: Self.snoozeDelay(retryAfter ?? cooldown ?? .seconds(2)))
        case .unavailable:
            if let retryAfter { return .snooze(code.rawValue, message, after: Self.snoozeDelay(retryAfter)) }
            return .retryable(code.rawValue, message)
        case .serverError, .timeout, .connectionReset, .connectFailed, .transport, .malformedResponse, .database:
            return .retryable(errorClass, message)
        case .badRequest, .contextLengthExceeded, .notFound, .payloadTooLarge, .unprocessable, .clientError:
            return .permanent(errorClass, message)
        case .unknownEndpoint:
            // This worker's endpoints file lacks it; another worker's may not.
            return TaskError(errorClass: code.rawValue, message: message, action: .leaveToOtherWorkers(reason: message))
        case .invalidOutput:
            let text = rawOutput.map { "\(message)\nraw output: \($0)" } ?? message
            return .permanent(code.rawValue, text)
        case .unauthorized, .forbidden:
            if authFailuresInARow >= Self.authFailuresBeforePause {
                return TaskError(
                    errorClass: code.rawValue, message: message,
                    action: .pauseBuild(
                        reason: "endpoint '\(endpoint)' rejected the credentials \(authFailuresInARow) times in a row (HTTP \(status ?? 0)): \(message)"))
            }
            return .retryable(code.rawValue, message, after: .seconds(5))
        case .budgetExhausted:
            return TaskError(errorClass: code.rawValue, message: message, action: .pauseBuild(reason: Self.budgetReason(budgetUSD ?? 0)))
        case .missingAPIKey:
            return TaskError(errorClass: code.rawValue, message: message, action: .pauseBuild(reason: message))
        }
    }

    /// For failures that say more about the endpoint (its key, URL, model, health) than about one request:
    /// what the systemic-failure breaker counts task deaths by. Failures tied to one request (context
    /// length, size, the model's output) and rate limits (handled by backoff) have none.
    public var failureSignature: FailureSignature? {
        let hint: String
        switch code {
        case .badRequest, .unauthorized, .forbidden, .clientError, .unprocessable, .serverError, .unavailable, .malformedResponse:
            hint = "check its key and URL"
        case .notFound:
            hint = "check its model and URL"
        case .unknownEndpoint:
            hint = "check the workers' endpoints file"
        case .timeout, .connectionReset, .connectFailed, .transport:
            hint = "check its URL and that it is up"
        case .rateLimited, .contextLengthExceeded, .payloadTooLarge, .invalidOutput, .budgetExhausted, .missingAPIKey, .database:
            return nil
        }
        let shown = message.count > 200 ? String(message.prefix(200)) + "…" : message
        let summary: String
        if let status {
            summary = "endpoint '\(endpoint)' answered \(status) '\(shown)'"
        } else {
            summary = "endpoint '\(endpoint)' failed (\(code.rawValue): \(shown))"
        }
        let key = [endpoint, status.map(String.init) ?? code.rawValue, errorType ?? "", FailureSignature.messageClass(message)]
            .joined(separator: "|")
        return FailureSignature(key: key, summary: summary, hint: hint)
    }

    /// The class recorded with the attempt: the exact status where there is one (`http_502`).
    public var errorClass: String {
        switch code {
        case .serverError, .clientError: return status.map { "http_\($0)" } ?? code.rawValue
        default: return code.rawValue
        }
    }

    /// Turns what an `LLMService` call threw into what a handler should throw: `TaskError` for endpoint
    /// failures, anything else (cancellation above all) unchanged.
    public static func queueError(for error: any Error) -> any Error {
        if let error = error as? LLMError { return error.taskError }
        return error
    }

    /// The reason a build is paused with when its budget is spent: "budget of $X reached".
    public static func budgetReason(_ budget: Double) -> String {
        "budget of $\(formatDollars(budget)) reached"
    }

    /// Dollars with at least cents, and up to six decimals for sub-cent amounts ("2.50", "0.001").
    static func formatDollars(_ amount: Double) -> String {
        var text = String(format: "%.6f", amount)
        while text.hasSuffix("0"), let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 3 {
            text.removeLast()
        }
        return text
    }

    /// Rate-limit snoozes get up to 20% jitter on top, so tasks refused together do not all come back in
    /// the same instant; bounded to [100 ms, 10 min].
    static func snoozeDelay(_ retryAfter: Duration) -> Duration {
        let base = min(max(retryAfter, .milliseconds(100)), .seconds(600))
        let millis = Double(base.components.seconds) * 1_000 + Double(base.components.attoseconds) / 1e15
        return .milliseconds(Int64((millis * Double.random(in: 1.0...1.2)).rounded()))
    }
}
