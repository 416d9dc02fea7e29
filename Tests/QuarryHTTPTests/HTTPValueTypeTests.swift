@testable import QuarryHTTP
import Testing

@Suite("QuarryHTTP value types")
struct HTTPValueTypeTests {
    @Test("HTTPHeaders: case-insensitive lookup, order, repeats, removal")
    func headers() {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "X-Multi": "a"]
        headers.add(name: "x-multi", value: "b")
        #expect(headers.first("content-type") == "application/json")
        #expect(headers.values("X-MULTI") == ["a", "b"])
        #expect(headers.contains("x-Multi"))
        #expect(headers.count == 3)
        headers.replaceOrAdd(name: "X-Multi", value: "c")
        #expect(headers.values("x-multi") == ["c"])
        headers.remove(name: "CONTENT-TYPE")
        #expect(headers.first("content-type") == nil)
        #expect(Array(headers).map(\.name) == ["X-Multi"])
        #expect(HTTPHeaders([("A", "1")]) == HTTPHeaders([("a", "1")]))
        #expect(HTTPHeaders([("A", "1")]) != HTTPHeaders([("A", "2")]))
    }

    @Test("HTTPHeaders never prints values")
    func headersRedacted() {
        let headers: HTTPHeaders = ["Authorization": "Bearer sk-secret"]
        #expect("\(headers)".contains("Authorization"))
        #expect(!"\(headers)".contains("sk-secret"))
    }

    @Test("Error descriptions drop user-info and query")
    func errorRedaction() {
        let error = HTTPClientError(code: .timedOut, curlCode: 28, message: "slow", url: "https://user:pw@api.example.com/v1/x?key=abc")
        let text = "\(error)"
        #expect(text.contains("api.example.com/v1/x"))
        #expect(!text.contains("pw"))
        #expect(!text.contains("abc"))
        #expect(HTTPClientError.redacted("http://h/p") == "http://h/p")
    }

    @Test("Retryability by code")
    func retryable() {
        let retryable: Set<HTTPClientError.Code> = [.connectFailed, .timedOut, .connectionReset, .dnsFailed]
        for code in HTTPClientError.Code.allCases {
            #expect(HTTPClientError(code: code, message: "", url: "").isRetryable == retryable.contains(code))
        }
    }

    @Test("Retry-After parsing")
    func retryAfter() {
        #expect(HTTPResponse(status: 429, headers: ["Retry-After": " 12 "]).retryAfter == .seconds(12))
        #expect(HTTPResponse(status: 429, headers: ["Retry-After": "0.5"]).retryAfter == .milliseconds(500))
        #expect(HTTPResponse(status: 429, headers: ["Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"]).retryAfter == nil)
        #expect(HTTPResponse(status: 429, headers: ["Retry-After": "-3"]).retryAfter == nil)
    }

    @Test("Durations become libcurl milliseconds without turning into 'no timeout'")
    func curlMilliseconds() {
        #expect(Duration.seconds(2).curlMilliseconds == 2000)
        #expect(Duration.milliseconds(1500).curlMilliseconds == 1500)
        #expect(Duration.microseconds(1).curlMilliseconds == 1)
        #expect(Duration.zero.curlMilliseconds == 0)
        #expect(Duration.seconds(-1).curlMilliseconds == 0)
    }
}

@Suite("Response header parsing")
struct HeaderParsingTests {
    private func feed(_ lines: [String]) -> CurlTransfer {
        let transfer = CurlTransfer(request: HTTPRequest(url: "http://127.0.0.1/"))
        for line in lines {
            Array(line.utf8).withUnsafeBytes { transfer.receiveHeaderLine($0) }
        }
        return transfer
    }

    @Test("An interim 100 Continue's headers are dropped; folded lines are joined")
    func interimResponsesAndFolding() {
        let transfer = feed([
            "HTTP/1.1 100 Continue\r\n", "X-Interim: yes\r\n", "\r\n",
            "HTTP/1.1 200 OK\r\n", "Content-Type: text/plain\r\n", "X-Folded: a\r\n", "\t b\r\n",
            "Set-Cookie: one\r\n", "set-cookie: two\r\n", "X-Empty:\r\n", "not a header line\r\n", "\r\n",
        ])
        let headers = transfer.responseHeaders
        #expect(headers.first("X-Interim") == nil)
        #expect(headers.first("content-type") == "text/plain")
        #expect(headers.first("X-Folded") == "a b")
        #expect(headers.values("Set-Cookie") == ["one", "two"])
        #expect(headers.first("X-Empty") == "")
        #expect(headers.count == 5)
    }

    @Test("A redirect's headers are replaced by the next response's")
    func redirectChain() {
        let transfer = feed([
            "HTTP/1.1 302 Found\r\n", "Location: /next\r\n", "\r\n",
            "HTTP/2 200\r\n", "x-final: 1\r\n", "\r\n",
        ])
        #expect(transfer.responseHeaders.first("Location") == nil)
        #expect(transfer.responseHeaders.first("X-Final") == "1")
    }
}
