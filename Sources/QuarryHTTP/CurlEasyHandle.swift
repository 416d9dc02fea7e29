import CCurl

/// One libcurl easy handle plus its error buffer, recycled across requests by `CurlEasyPool`.
///
/// Only the driver thread touches it. Reusing handles keeps their internal buffers and DNS/session
/// state warm and saves an allocation storm when thousands of requests start at once.
final class CurlEasyHandle {
    let raw: UnsafeMutableRawPointer
    /// `CURLOPT_ERRORBUFFER`: libcurl writes a detailed, NUL-terminated message here on failure.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Clears every option (`curl_easy_reset` keeps connections, DNS and TLS session caches, which
    /// live in the multi handle anyway) so the next request starts from libcurl's defaults.
    func reset() {
        curl_easy_reset(raw)
        errorBuffer[0] = 0
    }

    var errorMessage: String {
        String(cString: errorBuffer)
    }
}
