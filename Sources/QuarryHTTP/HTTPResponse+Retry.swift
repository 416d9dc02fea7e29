extension HTTPResponse {
    /// Statuses for which the same request may succeed later: request timeout, rate limiting, and the
    /// transient 5xx family. 501 (not implemented) and 505 are left out: they are permanent.
    public var isRetryableStatus: Bool {
        switch status {
        case 408, 425, 429, 500, 502, 503, 504: true
        default: false
        }
    }

    /// The `Retry-After` header in its delta-seconds form (what rate-limited APIs send).
    /// The HTTP-date form returns nil: honouring it needs a wall clock the caller should own.
    public var retryAfter: Duration? {
        guard let raw = header("Retry-After") else { return nil }
        let trimmed = raw.trimmingASCIIWhitespace()
        if let seconds = Int(trimmed), seconds >= 0 {
            return .seconds(seconds)
        }
        if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 {
            return .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
        return nil
    }
}

extension StringProtocol {
    func trimmingASCIIWhitespace() -> Substring {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}
