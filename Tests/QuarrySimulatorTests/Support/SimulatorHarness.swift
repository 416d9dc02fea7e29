import Foundation
import QuarrySimulator

/// Starts a simulator on an ephemeral loopback port, runs `body` against it, and always stops it.
func withSimulator<Result>(
    _ configure: (inout SimulatorConfiguration) -> Void = { _ in },
    _ body: (TestClient) async throws -> Result
) async throws -> Result {
    var configuration = SimulatorConfiguration()
    configuration.logLevel = .critical
    configure(&configuration)
    let simulator = Simulator(configuration: configuration)
    return try await simulator.withRunning { port in try await body(TestClient(port: port, simulator: simulator)) }
}

/// A chat request body with one user message.
func chatBody(
    _ prompt: String, model: String = "sim-small", extra: [String: Any] = [:]
) -> [String: Any] {
    var body: [String: Any] = ["model": model, "messages": [["role": "user", "content": prompt]]]
    for (key, value) in extra { body[key] = value }
    return body
}

/// `choices[index].message.content` of a chat response.
func chatContent(_ result: HTTPResult, choice index: Int = 0) -> String? {
    let choices = result.object?["choices"] as? [[String: Any]]
    guard let choices, choices.indices.contains(index) else { return nil }
    return (choices[index]["message"] as? [String: Any])?["content"] as? String
}

/// Lowercased words with edge punctuation stripped, the way the simulator compares words.
func wordKeys(_ text: String) -> [String] {
    text.split(whereSeparator: { $0.isWhitespace }).map { word in
        let scalars = word.unicodeScalars
        let isWordScalar: (Unicode.Scalar) -> Bool = { CharacterSet.alphanumerics.contains($0) }
        guard let first = scalars.firstIndex(where: isWordScalar), let last = scalars.lastIndex(where: isWordScalar) else {
            return ""
        }
        return String(String.UnicodeScalarView(scalars[first...last])).lowercased()
    }.filter { !$0.isEmpty }
}

let sampleContext = """
    The Rhine flows from the Swiss Alps through Germany and the Netherlands into the North Sea. \
    Barges carry coal, grain and containers along the river, and the city of Cologne grew around a Roman \
    bridge that crossed it. Vineyards line the steep valley slopes between Bingen and Koblenz, where the \
    Lorelei rock narrows the channel.
    """
