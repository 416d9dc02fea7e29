import CCurl

extension CurlTransfer {
    /// Sets every option this request needs on `easy` (fresh from the pool, so at libcurl defaults).
    /// Returns the error to fail the request with, or nil. Driver thread only.
    /// `closeSocketContext`: the waiter's, when it tracks socket closes (`CurlWaiter.closeSocketCallback`).
    func configure(
        _ easy: CurlEasyHandle, configuration: HTTPClient.Configuration, headerCache: inout CurlHeaderListCache,
        closeSocketContext: UnsafeMutableRawPointer?
    ) -> HTTPClientError? {
        let handle = easy.raw
        let userdata = Unmanaged.passUnretained(self).toOpaque()
        var failure: (option: String, code: CURLcode)?

        func check(_ code: CURLcode, _ option: @autoclosure () -> String) {
            if code != CURLE_OK, failure == nil { failure = (option(), code) }
        }
        func setLong(_ option: CURLoption, _ value: Int, _ name: @autoclosure () -> String) {
            check(quarry_curl_easy_setopt_long(handle, option, value), name())
        }

        check(quarry_curl_easy_setopt_string(handle, CURLOPT_URL, request.url), "URL")
        // Without NOSIGNAL libcurl may use SIGALRM for DNS timeouts, which is unsafe in a
        // multi-threaded process.
        setLong(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        check(quarry_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, easy.errorBuffer), "ERRORBUFFER")
        check(quarry_curl_easy_setopt_write_cb(handle, CURLOPT_WRITEFUNCTION, CurlCallbacks.write), "WRITEFUNCTION")
        check(quarry_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata), "WRITEDATA")
        check(quarry_curl_easy_setopt_write_cb(handle, CURLOPT_HEADERFUNCTION, CurlCallbacks.header), "HEADERFUNCTION")
        check(quarry_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata), "HEADERDATA")
        // How the driver finds this transfer from a finished easy handle (no lookup table).
        check(quarry_curl_easy_setopt_pointer(handle, CURLOPT_PRIVATE, userdata), "PRIVATE")
        #if os(Linux)
        if let closeSocketContext {
            // A connection keeps the close callback of the handle that opened it.
            check(quarry_curl_easy_setopt_closesocket_cb(handle, CurlWaiter.closeSocketCallback), "CLOSESOCKETFUNCTION")
            check(quarry_curl_easy_setopt_pointer(handle, CURLOPT_CLOSESOCKETDATA, closeSocketContext), "CLOSESOCKETDATA")
        }
        #endif

        if configuration.http2 {
            // HTTP/2 via ALPN on https; plain http stays HTTP/1.1 (no h2c upgrade round trip).
            setLong(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS, "HTTP_VERSION")
            if Self.isHTTPS(request.url) {
                // Wait for an in-progress connection to the same host to learn whether it can
                // multiplex, instead of opening one connection per request in a burst.
                setLong(CURLOPT_PIPEWAIT, 1, "PIPEWAIT")
            }
        } else {
            setLong(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1, "HTTP_VERSION")
        }

        if let keepAlive = configuration.tcpKeepAlive {
            let seconds = max(1, keepAlive.curlMilliseconds / 1000)
            setLong(CURLOPT_TCP_KEEPALIVE, 1, "TCP_KEEPALIVE")
            setLong(CURLOPT_TCP_KEEPIDLE, seconds, "TCP_KEEPIDLE")
            setLong(CURLOPT_TCP_KEEPINTVL, seconds, "TCP_KEEPINTVL")
        }

        setLong(CURLOPT_CONNECTTIMEOUT_MS, (request.connectTimeout ?? configuration.connectTimeout).curlMilliseconds, "CONNECTTIMEOUT_MS")
        if let timeout = request.timeout ?? configuration.timeout {
            setLong(CURLOPT_TIMEOUT_MS, timeout.curlMilliseconds, "TIMEOUT_MS")
        }
        if request.followRedirects {
            setLong(CURLOPT_FOLLOWLOCATION, 1, "FOLLOWLOCATION")
            setLong(CURLOPT_MAXREDIRS, configuration.maxRedirects, "MAXREDIRS")
        }

        configureMethodAndBody(handle, check: check)
        let (list, slot) = headerCache.acquire(headers: request.headers, sendsBody: sendsBody) {
            makeHeaderList(configuration: configuration)
        }
        headerList = list
        headerListSlot = slot
        if let headerList {
            check(quarry_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")
        }

        guard let failure else { return nil }
        return HTTPClientError(
            code: HTTPClientError.classify(failure.code) == .other ? .invalidRequest : HTTPClientError.classify(failure.code),
            curlCode: Int(failure.code.rawValue),
            message: "setting CURLOPT_\(failure.option) failed: \(String(cString: curl_easy_strerror(failure.code)))",
            url: request.url
        )
    }

    /// Whether the request uploads a body (possibly empty): POST, PUT and PATCH always do.
    var sendsBody: Bool {
        let method = request.method
        return !request.body.isEmpty || method == .post || method == .put || method == .patch
    }

    private func configureMethodAndBody(_ handle: UnsafeMutableRawPointer, check: (CURLcode, @autoclosure () -> String) -> Void) {
        let method = request.method
        let body = request.body
        let sendsBody = self.sendsBody

        if method == .get, !sendsBody {
            check(quarry_curl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1), "HTTPGET")
            return
        }
        if method == .head {
            check(quarry_curl_easy_setopt_long(handle, CURLOPT_NOBODY, 1), "NOBODY")
            return
        }
        if sendsBody {
            // POSTFIELDSIZE must come first: COPYPOSTFIELDS copies exactly that many bytes, so binary
            // bodies with NUL bytes survive, and the copy means `body` need not stay pinned.
            check(quarry_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "POSTFIELDSIZE_LARGE")
            if body.isEmpty {
                // A nil pointer would make libcurl read the body from the read callback (stdin).
                var empty: UInt8 = 0
                check(quarry_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, &empty), "COPYPOSTFIELDS")
            } else {
                body.withUnsafeBytes { bytes in
                    check(quarry_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress)), "COPYPOSTFIELDS")
                }
            }
            if method != .post {
                check(quarry_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method.rawValue), "CUSTOMREQUEST")
            }
        } else {
            check(quarry_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method.rawValue), "CUSTOMREQUEST")
        }
    }

    /// The caller's headers plus the defaults we override. Returns nil when there is nothing to send.
    private func makeHeaderList(configuration: HTTPClient.Configuration) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        func append(_ line: String) {
            // curl_slist_append copies the string. On allocation failure it returns nil and leaves
            // the list intact; the header is then dropped, which is the best we can do there.
            if let extended = curl_slist_append(list, line) { list = extended }
        }
        let headers = request.headers
        for (name, value) in headers {
            // "Name:" would tell libcurl to *remove* the header; "Name;" sends it with an empty value.
            append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if !headers.contains("Expect") {
            // libcurl sends `Expect: 100-continue` for large bodies and then waits up to a second for
            // a 100 the server may never send. API servers read the body anyway; skip the round trip.
            append("Expect:")
        }
        if sendsBody, !headers.contains("Content-Type") {
            // Otherwise libcurl labels every body application/x-www-form-urlencoded.
            append("Content-Type:")
        }
        if let userAgent = configuration.userAgent, !headers.contains("User-Agent") {
            append("User-Agent: \(userAgent)")
        }
        return list
    }

    private static func isHTTPS(_ url: String) -> Bool {
        let scheme = url.utf8.prefix(8)
        return scheme.count == 8 && HTTPHeaders.namesEqual(String(decoding: scheme, as: UTF8.self), "https://")
    }
}
