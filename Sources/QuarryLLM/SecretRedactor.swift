import Foundation

/// Removes API keys from text that may be stored or logged (an endpoint's error message can echo the key
/// it was sent, as OpenAI's "Incorrect API key provided: sk-…" does).
struct SecretRedactor: Sendable {
    let secrets: [String]

    init(_ secrets: [String?]) {
        // Very short values would redact ordinary words; a real key is long.
        self.secrets = secrets.compactMap { $0 }.filter { $0.count >= 8 }
    }

    func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingAll(secret, with: "[REDACTED]")
        }
        // Also the masked forms endpoints print: the key's first and last few characters around stars.
        for secret in secrets {
            let head = String(secret.prefix(6))
            let tail = String(secret.suffix(4))
            if let range = result.range(of: head), result[range.upperBound...].contains(tail) {
                result = result.replacingAll(head, with: "[REDACTED]")
            }
        }
        return result
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
