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
