import QuarryJSON
import QuarryLLM
import Testing

@Suite("SHA-256 and canonical JSON")
struct HashingTests {
    @Test("SHA-256 matches the FIPS 180-4 test vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
        ("The quick brown fox jumps over the lazy dog", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"),
    ])
    func vectors(input: String, expected: String) {
        #expect(SHA256.hex(SHA256.hash(Array(input.utf8))) == expected)
    }

    @Test("SHA-256 of a million 'a's, fed in uneven pieces")
    func millionA() {
        var hasher = SHA256()
        var fed = 0
        var piece = 1
        while fed < 1_000_000 {
            let count = min(piece, 1_000_000 - fed)
            hasher.update([UInt8](repeating: UInt8(ascii: "a"), count: count))
            fed += count
            piece = piece * 3 % 997 + 1
        }
        #expect(SHA256.hex(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("canonical JSON sorts keys, drops whitespace, writes integral numbers as integers, escapes control characters")
    func canonical() throws {
        let parsed = try JSONValue.parse(#"{ "b": [1, 2.5, 3.0], "a": {"y": null, "x": true}, "s": "line\nquote\" tab\t \u0001 é" }"#)
        #expect(parsed.canonicalString == #"{"a":{"x":true,"y":null},"b":[1,2.5,3],"s":"line\nquote\" tab\t \u0001 é"}"#)
    }

    @Test("the cache key ignores field order but not the endpoint's identity, model, parameters, schema or sample")
    func cacheKey() throws {
        let one = try JSONValue.parse(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0}"#)
        let reordered = try JSONValue.parse(#"{"temperature":0,"messages":[{"content":"hi","role":"user"}],"model":"m"}"#)
        let key = CacheKey.make(identity: "http://a/v1", path: "/chat/completions", body: one, sample: 0)
        #expect(key.count == 32)
        #expect(key == CacheKey.make(identity: "http://a/v1", path: "/chat/completions", body: reordered, sample: 0))
        #expect(key != CacheKey.make(identity: "http://a/v1", path: "/chat/completions", body: one, sample: 1))
        #expect(key != CacheKey.make(identity: "http://b/v1", path: "/chat/completions", body: one, sample: 0))
        #expect(key != CacheKey.make(identity: "http://a/v1", path: "/completions", body: one, sample: 0))
        let otherModel = try JSONValue.parse(#"{"model":"n","messages":[{"role":"user","content":"hi"}],"temperature":0}"#)
        #expect(key != CacheKey.make(identity: "http://a/v1", path: "/chat/completions", body: otherModel, sample: 0))
        let otherTemperature = try JSONValue.parse(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.7}"#)
        #expect(key != CacheKey.make(identity: "http://a/v1", path: "/chat/completions", body: otherTemperature, sample: 0))
        var withSchema = ChatRequest(messages: [.user("hi")], temperature: 0)
        let plain = CacheKey.make(identity: "http://a/v1", path: "/chat/completions", body: withSchema.body(model: "m"), sample: 0)
        withSchema.responseFormat = .jsonSchema(name: "r", schema: ["type": "object"], strict: true)
        #expect(plain != CacheKey.make(identity: "http://a/v1", path: "/chat/completions", body: withSchema.body(model: "m"), sample: 0))
    }

    @Test("an endpoint's cache identity is its normalised base URL, or its shared cache_namespace")
    func cacheIdentity() throws {
        let a = Endpoint(name: "a", baseURL: "HTTPS://API.Example.com/v1/", model: "m")
        #expect(a.cacheIdentity == "https://api.example.com/v1")
        let b = Endpoint(name: "b", baseURL: "https://gateway.example.com/v1", model: "m")
        #expect(a.cacheIdentity != b.cacheIdentity)
        let registry = try EndpointRegistry.parse(
            yaml: """
                endpoints:
                  - {name: a, base_url: "https://api.example.com/v1", model: m, cache_namespace: shared}
                  - {name: b, base_url: "https://gateway.example.com/v1", model: m, cache_namespace: shared}
                """)
        #expect(registry["a"]?.cacheIdentity == "ns:shared")
        #expect(registry["a"]?.cacheIdentity == registry["b"]?.cacheIdentity)
    }
}
