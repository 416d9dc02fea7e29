import Foundation
import QuarryHTTP

/// Reads when an endpoint wants to be called again: `retry-after-ms` (OpenAI's, milliseconds) first, then
/// `Retry-After` as delta-seconds (integer or decimal) or as an HTTP-date (RFC 9110: IMF-fixdate, with the
/// obsolete RFC 850 and asctime forms accepted).
public enum RetryAfter {
    public static func parse(_ headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        if let raw = headers.first("retry-after-ms"), let millis = Double(raw.trimmingCharacters(in: .whitespaces)),
            millis.isFinite, millis >= 0
        {
            return .milliseconds(Int64(millis.rounded(.up)))
        }
        guard let raw = headers.first("retry-after")?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        if let seconds = Double(raw), seconds.isFinite, seconds >= 0 {
            return .milliseconds(Int64((seconds * 1_000).rounded(.up)))
        }
        guard let date = httpDate(raw) else { return nil }
        let seconds = max(0, date.timeIntervalSince(now))
        return .milliseconds(Int64((seconds * 1_000).rounded(.up)))
    }

    /// Parses the three HTTP-date forms.
    public static func httpDate(_ text: String) -> Date? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
