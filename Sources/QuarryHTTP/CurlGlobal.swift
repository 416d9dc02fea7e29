import CCurl

/// Process-wide libcurl initialisation.
///
/// `curl_global_init` must run once, before any other libcurl call, and is not safe to race with itself
/// on every libcurl build. A `static let` is initialised lazily through `swift_once`, which gives exactly
/// the "once, thread-safely, on first use" guarantee needed without a hand-rolled flag.
/// We never call `curl_global_cleanup`: other clients may still be alive, and the process exit reclaims it.
enum CurlGlobal {
    private static let initResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    /// Runs `curl_global_init` if nobody has yet; returns its result (which never changes afterwards).
    static func ensureInitialized() -> CURLcode {
        initResult
    }
}
