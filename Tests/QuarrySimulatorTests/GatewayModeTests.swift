import Foundation
import QuarrySimulator
import Testing

/// The modes that make the simulator answer like real gateways rather than like OpenAI.
@Suite("Gateway-like answers")
struct GatewayModeTests {
    @Test("gateway_400: a wrong key gets 400 with a gateway's own body, on /v1/models too")
    func badKeyAnswered400() async throws {
        try await withSimulator({ $0.requiredAPIKey = "sk-good"; $0.authFailureStyle = .gateway400 }) { client in
            let wrong = try await client.post("/v1/chat/completions", json: chatBody("hi"), headers: ["Authorization": "Bearer sk-bad"])
            #expect(wrong.status == 400)
            let error = wrong.object?["error"] as? [String: Any]
            #expect(error?["type"] as? String == "no_db_connection")
            #expect(error?["message"] as? String == "No connected db.")
            let listing = try await client.send("GET", "/v1/models", body: nil, headers: ["Authorization": "Bearer sk-bad"], timeout: 15)
            #expect(listing.status == 400)
            let right = try await client.send("GET", "/v1/models", body: nil, headers: ["Authorization": "Bearer sk-good"], timeout: 15)
            #expect(right.status == 200)
            let answered = try await client.post("/v1/chat/completions", json: chatBody("hi"), headers: ["Authorization": "Bearer sk-good"])
            #expect(answered.status == 200)
        }
    }

    @Test("gateway_403 and gateway_500 answer a wrong key with 403 and 500")
    func otherStyles() async throws {
        for (style, status) in [(AuthFailureStyle.gateway403, 403), (.gateway500, 500)] {
            try await withSimulator({ $0.requiredAPIKey = "sk-good"; $0.authFailureStyle = style }) { client in
                let wrong = try await client.post("/v1/chat/completions", json: chatBody("hi"), headers: ["Authorization": "Bearer sk-bad"])
                #expect(wrong.status == status, "\(style)")
            }
        }
    }

    @Test("rateLimitRetryAfter off: 429s above the limit carry no Retry-After and no x-ratelimit headers")
    func bare429() async throws {
        try await withSimulator({ $0.rpm = 2; $0.rateLimitRetryAfter = false }) { client in
            var refused: HTTPResult?
            for index in 0..<4 {
                let result = try await client.post("/v1/chat/completions", json: chatBody("request \(index)"))
                #expect(result.header("x-ratelimit-limit-requests") == nil)
                if result.status == 429 { refused = result }
            }
            let answer = try #require(refused, "the third request should be refused")
            #expect(answer.header("retry-after") == nil)
            #expect(answer.header("retry-after-ms") == nil)
            #expect((answer.object?["error"] as? [String: Any])?["code"] as? String == "rate_limit_exceeded")
        }
    }

    @Test("the configuration file form decodes both modes")
    func decodes() throws {
        let json = #"{"authFailureStyle": "gateway_400", "rateLimitRetryAfter": false}"#
        let configuration = try JSONDecoder().decode(SimulatorConfiguration.self, from: Data(json.utf8))
        #expect(configuration.authFailureStyle == .gateway400)
        #expect(configuration.rateLimitRetryAfter == false)
    }
}
