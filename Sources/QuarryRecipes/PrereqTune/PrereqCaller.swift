import QuarryLLM
import QuarryQueue

/// One structured call of a prereq_tune handler: renders the build's prompt, sends it to the role's
/// endpoint with the build's seed, and decodes the answer (the service repairs undecodable answers).
///
/// A regeneration (`attempt` n > 0) is a new sample: the seed is the build's plus n and the response
/// cache is keyed by n, so writing a failed version again does not get the same answer back.
struct PrereqCaller: Sendable {
    struct Answer<Output: Sendable>: Sendable {
        var output: Output
        var call: LLMCallRecord
        var promptVersion: String
    }

    let context: GraphContext
    let parameters: PrereqTuneParameters

    init(_ context: GraphContext) throws {
        self.context = context
        self.parameters = try context.parameters(PrereqTuneParameters.self)
    }

    func ask<Output: Decodable & Sendable>(
        _ promptName: String, _ values: [String: String], format: ResponseFormat, role: String, temperature: Double, attempt: Int = 0,
        decoding: Output.Type
    ) async throws -> Answer<Output> {
        let prompt = try context.spec.prompt(promptName)
        let endpoint = try context.spec.endpoint(for: role)
        let request = ChatRequest(
            messages: try prompt.messages(values), temperature: temperature, seed: context.spec.seed.map { $0 &+ attempt },
            maxTokens: parameters.maxTokens, responseFormat: format)
        let decoded = try await context.service.chat(
            request, endpoint: endpoint, build: context.buildID, kind: context.task.kind, sample: attempt, decoding: Output.self)
        return Answer(output: decoded.output, call: LLMCallRecord(decoded.result, endpoint: endpoint, service: context.service), promptVersion: prompt.version)
    }

    func generate<Output: Decodable & Sendable>(
        _ promptName: String, _ values: [String: String], format: ResponseFormat, attempt: Int = 0, decoding: Output.Type
    ) async throws -> Answer<Output> {
        try await ask(
            promptName, values, format: format, role: PrereqTuneRecipe.Role.generator, temperature: parameters.generationTemperature, attempt: attempt,
            decoding: Output.self)
    }
}
