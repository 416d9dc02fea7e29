import CCurl

/// One request's state while the driver runs it.
///
/// `@unchecked Sendable` because it crosses from the calling task to the driver thread. That is safe
/// because of a strict hand-off:
/// - the caller writes `continuation` exactly once, *before* `CurlMultiDriver.submit` publishes the
///   transfer through the driver's inbox lock (the lock orders the write before the driver's reads);
/// - from then on every other stored property is read and written only on the driver thread,
///   including from the libcurl callbacks, which libcurl invokes on that thread inside
///   `curl_multi_perform`;
/// - the cancellation handler only passes the reference back to the driver through the same lock.
final class CurlTransfer: @unchecked Sendable {
    enum Phase {
        /// Created; the driver has not seen the request yet.
        case pending
        /// A cancel arrived before the driver started the transfer; it is failed when it does.
        case cancelledBeforeStart
        /// Attached to the multi handle.
        case running
        /// Continuation resumed; nothing more may happen.
        case finished
    }

    let request: HTTPRequest
    var continuation: CheckedContinuation<HTTPResponse, any Error>?

    // Driver-thread state below.
    var phase: Phase = .pending
    var easy: CurlEasyHandle?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var responseHeaders = HTTPHeaders()
    var responseBody: [UInt8] = []

    init(request: HTTPRequest) {
        self.request = request
    }

    deinit {
        // Normally freed in `detach()`; this catches a transfer dropped on an unexpected path.
        if let headerList { curl_slist_free_all(headerList) }
    }

    /// Resumes the waiting task exactly once.
    func finish(_ result: Result<HTTPResponse, any Error>) {
        guard phase != .finished else { return }
        phase = .finished
        let continuation = self.continuation
        self.continuation = nil
        continuation?.resume(with: result)
    }

    /// Releases per-request libcurl resources and hands back the easy handle (if any).
    func detach() -> CurlEasyHandle? {
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
        let handle = easy
        easy = nil
        return handle
    }

    // MARK: libcurl callbacks (driver thread, inside curl_multi_perform)

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
        let rawValue = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(colon + 1)...]), as: UTF8.self)
        let value = String(rawValue.trimmingASCIIWhitespace())
        responseHeaders.add(name: name, value: value)

        if HTTPHeaders.namesEqual(name, "Content-Length"), let length = Int(value), length > 0 {
            // Avoids repeated regrowth for large bodies; capped so a lying server cannot make us
            // reserve gigabytes up front.
            responseBody.reserveCapacity(min(length, 64 << 20))
        }
    }
}
