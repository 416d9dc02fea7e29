import Foundation
import QuarrySimulator
import Testing

@Suite("Embeddings")
struct EmbeddingTests {
    private func vectors(_ result: HTTPResult) -> [[Double]] {
        (result.object?["data"] as? [[String: Any]] ?? []).compactMap { $0["embedding"] as? [Double] }
    }

    private func cosine(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }

    @Test("default dimension, unit length, deterministic, similar texts closer than unrelated ones")
    func embeddings() async throws {
        try await withSimulator { client in
            let inputs = [
                "barges carry coal along the Rhine river",
                "barges carry grain along the Rhine river",
                "the recipe needs two eggs and flour",
            ]
            let body: [String: Any] = ["model": "sim-small", "input": inputs]
            let first = try await client.post("/v1/embeddings", json: body)
            #expect(first.status == 200)
            let vectors = vectors(first)
            #expect(vectors.count == 3)
            for vector in vectors {
                #expect(vector.count == 64)
                #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
            }
            #expect(cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.2)
            let again = try await client.post("/v1/embeddings", json: body)
            #expect(self.vectors(again) == vectors)
            let usage = try #require(first.object?["usage"] as? [String: Int])
            #expect(usage["prompt_tokens"] == usage["total_tokens"])
        }
    }

    @Test("dimensions parameter, configured dimension, base64 encoding")
    func dimensionsAndBase64() async throws {
        try await withSimulator({ $0.embeddingDimensions = 16 }) { client in
            let plain = try await client.post("/v1/embeddings", json: ["model": "sim-small", "input": "hello world"])
            #expect(vectors(plain).first?.count == 16)
            let sized = try await client.post("/v1/embeddings", json: ["model": "sim-small", "input": "hello world", "dimensions": 8])
            #expect(vectors(sized).first?.count == 8)
            let encoded = try await client.post(
                "/v1/embeddings", json: ["model": "sim-small", "input": "hello world", "encoding_format": "base64"])
            let base64 = try #require((encoded.object?["data"] as? [[String: Any]])?.first?["embedding"] as? String)
            let data = try #require(Data(base64Encoded: base64))
            #expect(data.count == 16 * 4)
            let floats = stride(from: 0, to: data.count, by: 4).map { offset in
                Float(bitPattern: UInt32(littleEndian: data[offset..<(offset + 4)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
            }
            let expected = try #require(vectors(plain).first)
            for (a, b) in zip(floats, expected) { #expect(abs(Double(a) - b) < 1e-6) }
            let empty = try await client.post("/v1/embeddings", json: ["model": "sim-small", "input": ""])
            #expect(empty.status == 400)
        }
    }
}
