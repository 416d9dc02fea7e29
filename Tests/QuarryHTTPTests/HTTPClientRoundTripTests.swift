import QuarryHTTP
import Testing

@Suite("HTTPClient round trips over loopback")
struct HTTPClientRoundTripTests {
    @Test("GET carries request headers out and response headers (incl. repeated fields) back")
    func getWithHeadersBothWays() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            let response = try await client.execute(
                HTTPRequest(url: "http://127.0.0.1:\(port)/hello", headers: ["X-Client-Tag": "tag-42"])
            )
            #expect(response.status == 200)
            #expect(response.bodyText == "hello")
            #expect(response.header("x-echo-tag") == "tag-42")
            #expect(response.header("X-ECHO-TAG") == "tag-42")
            #expect(response.headers.values("x-multi") == ["first", "second"])
            #expect(response.header("X-Absent") == nil)
            #expect(response.version == .http1_1)
            #expect(response.timings.total > .zero)
            #expect(response.timings.firstByte <= response.timings.total)
        }
    }

    @Test("POST uploads a 1 MB binary body and gets it back byte for byte")
    func postBinaryEcho() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            // Every byte value, NULs included, in a non-repeating-looking order.
            let payload = TestServer.pattern(1 << 20)
            let response = try await client.execute(
                HTTPRequest(
                    method: .post,
                    url: "http://127.0.0.1:\(port)/echo",
                    headers: ["Content-Type": "application/octet-stream"],
                    body: payload
                )
            )
            #expect(response.status == 200)
            #expect(response.header("X-Body-Length") == String(payload.count))
            #expect(response.header("Content-Type") == "application/octet-stream")
            #expect(response.body.count == payload.count)
            #expect(response.body == payload)
        }
    }

    @Test("POST without a Content-Type does not get libcurl's form-urlencoded default")
    func postWithoutContentType() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            let response = try await client.execute(
                HTTPRequest(method: .post, url: "http://127.0.0.1:\(port)/echo", body: Array("{}".utf8))
            )
            #expect(response.header("Content-Type") == "absent")
            #expect(response.bodyText == "{}")

            let empty = try await client.execute(HTTPRequest(method: .post, url: "http://127.0.0.1:\(port)/echo"))
            #expect(empty.status == 200)
            #expect(empty.header("X-Body-Length") == "0")
            #expect(empty.body.isEmpty)
        }
    }

    @Test("GET downloads a 1 MB binary body verbatim")
    func largeBinaryDownload() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            let response = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/bytes/\(1 << 20)"))
            #expect(response.status == 200)
            #expect(response.body == TestServer.pattern(1 << 20))
        }
    }

    @Test("Non-2xx statuses are responses, not errors", arguments: [200, 404, 500, 429])
    func statusCodes(code: Int) async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            let response = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/status/\(code)"))
            #expect(response.status == code)
            #expect(response.bodyText == "status \(code)")
            #expect(response.isSuccess == (code == 200))
            #expect(response.isRetryableStatus == (code == 500 || code == 429))
            if code == 429 {
                #expect(response.header("retry-after") == "7")
                #expect(response.retryAfter == .seconds(7))
            } else {
                #expect(response.retryAfter == nil)
            }
        }
    }

    @Test("Following a redirect keeps only the final response's headers")
    func redirectKeepsFinalHeaders() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            let unfollowed = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/redirect"))
            #expect(unfollowed.status == 302)
            #expect(unfollowed.header("X-Redirect-Only") == "yes")

            let followed = try await client.execute(
                HTTPRequest(url: "http://127.0.0.1:\(port)/redirect", headers: ["X-Client-Tag": "r"], followRedirects: true)
            )
            #expect(followed.status == 200)
            #expect(followed.bodyText == "hello")
            #expect(followed.header("X-Redirect-Only") == nil)
            #expect(followed.header("Location") == nil)
            #expect(followed.header("X-Echo-Tag") == "r")
        }
    }

    @Test("Sequential requests reuse the kept-alive connection")
    func keepAliveReuse() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            let first = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/hello"))
            let second = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/hello"))
            #expect(first.timings.newConnections == 1)
            #expect(second.timings.newConnections == 0)
            #expect(second.timings.reusedConnection)
        }
    }

    @Test("PUT, DELETE and HEAD send the right method")
    func otherMethods() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            // /echo only accepts POST, so a PUT there is a 405 from the router: the method was sent as PUT.
            let put = try await client.execute(HTTPRequest(method: .put, url: "http://127.0.0.1:\(port)/echo", body: [1, 2, 3]))
            #expect(put.status == 405 || put.status == 404)
            let delete = try await client.execute(HTTPRequest(method: .delete, url: "http://127.0.0.1:\(port)/hello"))
            #expect(delete.status == 405 || delete.status == 404)
            let head = try await client.execute(HTTPRequest(method: .head, url: "http://127.0.0.1:\(port)/hello"))
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
        }
    }
}
