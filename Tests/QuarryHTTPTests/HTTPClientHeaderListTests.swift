import QuarryHTTP
import Testing

@Suite("Request header lists shared between transfers")
struct HTTPClientHeaderListTests {
    @Test("Concurrent requests with identical and with distinct headers each send their own")
    func sharedAndDistinctHeaderSets() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            // 60 distinct tags (more than the driver caches), each sent by 4 concurrent requests, so
            // lists are shared, cached, evicted and owned outright while others are still in use.
            let tags = (0..<240).map { "tag-\($0 % 60)" }
            try await withThrowingTaskGroup(of: (String, String?).self) { group in
                for tag in tags {
                    group.addTask {
                        let response = try await client.execute(
                            HTTPRequest(url: "http://127.0.0.1:\(port)/hello", headers: ["X-Client-Tag": tag])
                        )
                        return (tag, response.header("X-Echo-Tag"))
                    }
                }
                for try await (sent, echoed) in group {
                    #expect(echoed == sent)
                }
            }
            // Same header values, different name spelling: sent as given, not as a cached spelling.
            let lower = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/hello", headers: ["x-client-tag": "lower"]))
            #expect(lower.header("X-Echo-Tag") == "lower")
            #expect(client.inFlightCount == 0)
        }
    }
}
