import CCurl

/// One request's state while the driver runs it.
///
/// `@unchecked Sendable` because it crosses from the calling task to the driver thread. That is safe
/// because of a strict hand-off:
/// - the caller writes `continuation` exactly once, *before* `CurlMultiDriver.submit` publishes the
///   transfer through the driver's inbox lock (the lock orders the write before the driver's reads);
/// - from then on every other stored property is read and written only on the driver thread,
///   including from the libcurl callbacks, which libcurl invokes on that thread inside
///   `curl_multi_socket_action`;
/// - the cancellation handler only passes the reference back to the driver through the same lock.
final class CurlTransfer: @unchecked Sendable {
    enum Phase {
        /// Created; the driver has not seen the request yet.
        case pending
        /// A cancel arrived before the driver started the transfer; it is failed when it does.
        case cancelledBeforeStart
        /// Attached to the multi handle.
        case running
        /// Result decided; the continuation is (about to be) resumed and nothing more may happen.
        case finished
    }

    let request: HTTPRequest
    /// An unsafe continuation: the checked one allocates a canary object per request. Exactly-once
    /// is kept by `phase`: the driver decides a result only while it is not `.finished`.
    var continuation: UnsafeContinuation<HTTPResponse, any Error>?

    // Driver-thread state below.
    var phase: Phase = .pending
    var easy: CurlEasyHandle?
    /// `CURLOPT_HTTPHEADER`. Owned by this transfer when `headerListSlot` is nil, else borrowed from
    /// the driver's `CurlHeaderListCache`.
    var headerList: UnsafeMutablePointer<curl_slist>?
    var headerListSlot: Int?
    /// Position in the driver's `active` array while attached (O(1) removal without hashing).
    var activeIndex = -1
    var responseHeaders = HTTPHeaders()
    var responseBody: [UInt8] = []

    init(request: HTTPRequest) {
        self.request = request
    }

    deinit {
        // Normally freed in `detach()`; this catches a transfer dropped on an unexpected path.
        if let headerList, headerListSlot == nil { curl_slist_free_all(headerList) }
    }

    /// Releases per-request libcurl resources and hands back the easy handle (if any). A borrowed
    /// header list must have been returned to the cache (and `headerListSlot` cleared) first.
    func detach() -> CurlEasyHandle? {
        if let headerList {
            if headerListSlot == nil { curl_slist_free_all(headerList) }
            self.headerList = nil
        }
        let handle = easy
        easy = nil
        return handle
    }

    // MARK: libcurl callbacks (driver thread, inside curl_multi_socket_action)

    func appendBody(_ bytes: UnsafeRawBufferPointer) {
        responseBody.append(contentsOf: bytes)
    }

    /// Called once per header line, status lines and the blank end-of-headers line included.
    ///
    /// Each response in an exchange (a `100 Continue`, each followed redirect, the final response)
    /// starts with a status line; seeing one discards what came before, so only the final
    /// response's fields remain.
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: "\n") || line[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        guard end > 0 else { return }
        let bytes = UnsafeRawBufferPointer(rebasing: line[0..<end])

        if bytes.count >= 5, bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"),
            bytes[2] == UInt8(ascii: "T"), bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/")
        {
            responseHeaders = HTTPHeaders()
            // Typical API responses carry under a dozen fields; reserving once beats regrowing.
            responseHeaders.reserveCapacity(12)
            responseBody.removeAll(keepingCapacity: true)
            return
        }
        if bytes[0] == UInt8(ascii: " ") || bytes[0] == UInt8(ascii: "\t") {
            // Obsolete line folding (RFC 9112 §5.2): continues the previous field's value.
            let continuation = String(decoding: bytes, as: UTF8.self).trimmingASCIIWhitespace()
            responseHeaders.appendToLastValue(" " + continuation)
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<colon]), as: UTF8.self)
        // Trim the value's spaces and tabs on the bytes, so it is decoded into a String only once.
        var valueStart = colon + 1
        var valueEnd = bytes.count
        while valueStart < valueEnd, bytes[valueStart] == UInt8(ascii: " ") || bytes[valueStart] == UInt8(ascii: "\t") {
            valueStart += 1
        }
        while valueEnd > valueStart, bytes[valueEnd - 1] == UInt8(ascii: " ") || bytes[valueEnd - 1] == UInt8(ascii: "\t") {
            valueEnd -= 1
        }
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self)
        responseHeaders.add(name: name, value: value)

        if HTTPHeaders.namesEqual(name, "Content-Length"), let length = Int(value), length > 0 {
            // Avoids repeated regrowth for large bodies; capped so a lying server cannot make us
            // reserve gigabytes up front.
            responseBody.reserveCapacity(min(length, 64 << 20))
        }
    }
}
