import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import QuarrySimulator
import Testing

/// Talks to a running simulator over real loopback HTTP with URLSession.
struct TestClient: Sendable {
    let port: Int
    let simulator: Simulator

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func post(_ path: String, json object: Any, headers: [String: String] = [:], timeout: TimeInterval = 15) async throws -> HTTPResult {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return try await send("POST", path, body: data, headers: headers, timeout: timeout)
    }

    func post(_ path: String, raw: Data, headers: [String: String] = [:], timeout: TimeInterval = 15) async throws -> HTTPResult {
        try await send("POST", path, body: raw, headers: headers, timeout: timeout)
    }

    func get(_ path: String, timeout: TimeInterval = 15) async throws -> HTTPResult {
        try await send("GET", path, body: nil, headers: [:], timeout: timeout)
    }

    func send(_ method: String, _ path: String, body: Data?, headers: [String: String], timeout: TimeInterval) async throws -> HTTPResult {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = timeout
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        // A fresh ephemeral session per request: no connection reuse, so one test's reset or hang cannot
        // leak into the next request.
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { fields[key.lowercased()] = value }
        }
        return HTTPResult(status: http.statusCode, headers: fields, body: data)
    }

    /// `GET /stats` decoded.
    func stats() async throws -> [String: Any] {
        try #require(try await get("/stats").object)
    }
}

