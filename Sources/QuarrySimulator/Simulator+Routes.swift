import QuarryJSON
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Simulator {
    func makeApplication(
        onServerRunning: @escaping @Sendable (any Channel) async -> Void
    ) -> some ApplicationProtocol {
        let router = Router(context: SimulatorRequestContext.self)
        // Each API route is also reachable without the /v1 prefix, for clients configured with a bare host.
        for prefix in ["/v1", ""] {
            router.post("\(prefix)/chat/completions") { request, context in
                await self.serve("POST /v1/chat/completions", request: request, context: context) { json, environment throws(APIError) in
                    let parsed = try ChatCompletionRequest(json)
                    return PreparedRequest(
                        model: parsed.model, promptTokens: parsed.promptTokens,
                        tokenCost: parsed.promptTokens + (parsed.maxTokens ?? 0) * parsed.n,
                        contextTokens: parsed.promptTokens + (parsed.maxTokens ?? 0), contextParam: "messages",
                        produce: { ChatCompletionGenerator(request: parsed, environment: environment).generate() })
                }
            }
            router.post("\(prefix)/completions") { request, context in
                await self.serve("POST /v1/completions", request: request, context: context) { json, environment throws(APIError) in
                    let parsed = try CompletionRequest(json)
                    return PreparedRequest(
                        model: parsed.model, promptTokens: parsed.totalPromptTokens,
                        tokenCost: parsed.totalPromptTokens + parsed.maxTokens * parsed.n * parsed.prompts.count,
                        contextTokens: parsed.largestPromptTokens + parsed.maxTokens, contextParam: "prompt",
                        produce: { CompletionGenerator(request: parsed, environment: environment).generate() })
                }
            }
            router.post("\(prefix)/embeddings") { request, context in
                await self.serve("POST /v1/embeddings", request: request, context: context) { json, environment throws(APIError) in
                    let parsed = try EmbeddingRequest(json)
                    let largest = parsed.inputs.map(TokenCounter.tokens(in:)).max() ?? 0
                    return PreparedRequest(
                        model: parsed.model, promptTokens: parsed.promptTokens, tokenCost: parsed.promptTokens,
                        contextTokens: largest, contextParam: "input",
                        produce: { parsed.generate(defaultDimensions: environment.embeddingDimensions) })
                }
            }
            router.get("\(prefix)/models") { request, _ in
                self.models(authorization: request.headers[.authorization])
            }
            router.get("\(prefix)/models/:model") { request, context in
                self.model(context.parameters.get("model") ?? "", authorization: request.headers[.authorization])
            }
        }
        router.get("/stats") { _, _ in
            Self.json(.ok, self.statsJSON())
        }
        router.post("/stats/reset") { _, _ in
            self.recorder.reset()
            return Self.json(.ok, Data(#"{"reset":true}"#.utf8))
        }
        router.get("/stats/hallucinations") { _, _ in
            let report = self.recorder.hallucinations
            return Self.json(
                .ok,
                JSONValue.object([
                    "hallucinated": .int(report.hallucinated),
                    "clean": .int(report.clean),
                    "hallucinated_ids": .array(report.ids.map(JSONValue.string)),
                ]).encodedData())
        }
        router.get("/stats/duplicates") { _, _ in
            let bodies = self.recorder.duplicateBodies.mapValues(JSONValue.int)
            return Self.json(.ok, JSONValue.object(["duplicate_bodies": .object(bodies)]).encodedData())
        }
        router.get("/health") { _, _ in
            Self.json(.ok, Data(#"{"status":"ok"}"#.utf8))
        }

        var serverLogger = logger
        serverLogger[metadataKey: "component"] = "http"
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil,
                backlog: configuration.backlog),
            onServerRunning: onServerRunning,
            logger: serverLogger)
    }

    func statsJSON() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(recorder.snapshot)) ?? Data("{}".utf8)
    }

    private func modelObject(_ id: String) -> JSONValue {
        .object([
            "id": .string(id), "object": .string("model"), "created": .int(1_700_000_000),
            "owned_by": .string("quarry-simulator"),
        ])
    }

    /// The listing asks for the key like every other route (as OpenAI and gateways do), so a client can
    /// check its key with it.
    private func models(authorization: String?) -> Response {
        let sequence = recorder.begin(endpoint: "GET /v1/models")
        do {
            _ = try authenticate(authorization)
        } catch {
            recorder.finish(status: String(error.status.code))
            return Self.json(error.status, error.body.encodedData(), headers: [("x-request-id", "req_sim_\(sequence)")])
        }
        recorder.finish(status: "200")
        let body = JSONValue.object(["object": .string("list"), "data": .array(configuration.models.map(modelObject))])
        return Self.json(.ok, body.encodedData(), headers: [("x-request-id", "req_sim_\(sequence)")])
    }

    private func model(_ id: String, authorization: String?) -> Response {
        let sequence = recorder.begin(endpoint: "GET /v1/models/{model}")
        let headers = [("x-request-id", "req_sim_\(sequence)")]
        do {
            _ = try authenticate(authorization)
        } catch {
            recorder.finish(status: String(error.status.code))
            return Self.json(error.status, error.body.encodedData(), headers: headers)
        }
        guard configuration.models.contains(id) else {
            let error = APIError.modelNotFound(id)
            recorder.finish(status: String(error.status.code))
            return Self.json(error.status, error.body.encodedData(), headers: headers)
        }
        recorder.finish(status: "200")
        return Self.json(.ok, modelObject(id).encodedData(), headers: headers)
    }

    /// A JSON response with the given extra headers (invalid header names are skipped).
    static func json(_ status: HTTPResponse.Status, _ body: Data, headers: [(name: String, value: String)] = []) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for header in headers {
            if let name = HTTPField.Name(header.name) {
                fields.append(HTTPField(name: name, value: header.value))
            }
        }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
