import Foundation
import QuarryJSON
import QuarryTestSupport
import Testing

@Suite("JSONParser")
struct JSONParserTests {
    @Test("scalars, containers and whitespace")
    func parsesDocuments() throws {
        #expect(try JSONParser.parse(" null ") == .null)
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse("false") == .bool(false))
        #expect(try JSONParser.parse("\"hi\"") == .string("hi"))
        #expect(try JSONParser.parse("[]") == .array([]))
        #expect(try JSONParser.parse("{}") == .object([:]))
        let document = try JSONParser.parse(
            """
            {"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 2, "t": 0.5,
             "stop": null, "stream": false}
            """)
        #expect(document["model"] == .string("m"))
        #expect(document["messages"]?.arrayValue?.first?["content"] == .string("x"))
        #expect(document["n"] == .int(2))
        #expect(document["t"] == .double(0.5))
        #expect(document["stop"] == .null)
        #expect(document["stream"] == .bool(false))
    }

    @Test("integers stay integers; fractions, exponents and overflow become doubles")
    func numbers() throws {
        #expect(try JSONParser.parse("0") == .int(0))
        #expect(try JSONParser.parse("-0") == .int(0))
        #expect(try JSONParser.parse("64") == .int(64))
        #expect(try JSONParser.parse("-17") == .int(-17))
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int.min))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try JSONParser.parse("1.25") == .double(1.25))
        #expect(try JSONParser.parse("1e3") == .double(1000))
        #expect(try JSONParser.parse("-2.5E-2") == .double(-0.025))
    }

    @Test("escapes, surrogate pairs and multi-byte UTF-8")
    func strings() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try JSONParser.parse(#""\u00e9\u4e2d""#) == .string("é中"))
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONParser.parse("\"héllo 😀\"") == .string("héllo 😀"))
        // An unpaired surrogate cannot be a Swift String scalar: it becomes U+FFFD, like most parsers.
        #expect(try JSONParser.parse(#""x\ud83dy""#) == .string("x\u{FFFD}y"))
        #expect(try JSONParser.parse(#""\ude00""#) == .string("\u{FFFD}"))
    }

    @Test("a key given twice keeps its last value")
    func duplicateKeys() throws {
        #expect(try JSONParser.parse(#"{"a": 1, "a": 2}"#) == .object(["a": .int(2)]))
    }

    @Test(
        "invalid documents fail with a code and the offset of the fault",
        arguments: [
            ("", JSONParseError.Code.empty, 0),
            ("   ", .empty, 0),
            ("[1,]", .unexpectedCharacter, 3),
            ("{\"a\" 1}", .unexpectedCharacter, 5),
            ("{\"a\":1,}", .unexpectedCharacter, 7),
            ("01", .invalidNumber, 0),
            ("-", .invalidNumber, 1),
            ("1.", .invalidNumber, 2),
            ("1e", .invalidNumber, 2),
            ("\"abc", .unexpectedEnd, 0),
            ("\"a\u{1}b\"", .controlCharacterInString, 2),
            (#""\x""#, .invalidEscape, 1),
            (#""\u12g4""#, .invalidEscape, 1),
            ("tru", .unexpectedEnd, 0),
            ("nul!", .unexpectedCharacter, 3),
            ("{} {}", .trailingCharacters, 3),
            ("[1, 2", .unexpectedEnd, 5),
            ("{\"a\": ", .unexpectedEnd, 6),
        ])
    func rejects(text: String, code: JSONParseError.Code, offset: Int) {
        do {
            let value = try JSONParser.parse(text)
            Issue.record("parsed \(value) from \(text.debugDescription)")
        } catch {
            #expect(error.code == code, "\(text.debugDescription): \(error)")
            #expect(error.offset == offset, "\(text.debugDescription): \(error)")
            #expect(error.description.hasPrefix("invalid JSON at byte \(offset):"))
        }
    }

    @Test("invalid UTF-8 inside a string is an error, not a silent repair")
    func invalidUTF8() {
        let bytes: [UInt8] = Array("{\"k\": \"a".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        do {
            _ = try JSONParser.parse(bytes)
        } catch {
            #expect(error.code == .invalidUTF8)
        }
    }

    @Test("nesting is bounded, so hostile input cannot exhaust the stack")
    func depthLimit() throws {
        let fine = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        do {
            _ = try JSONParser.parse(deep)
            Issue.record("a 100,000-deep document parsed")
        } catch {
            #expect(error.code == .tooDeep)
        }
    }

    @Test("agrees with Foundation's JSONSerialization on every JSON fixture")
    func agreesWithFoundation() throws {
        let files = Fixtures.jsonFiles
        try #require(!files.isEmpty, "no JSON files under \(Fixtures.directory.path)")
        var compared = 0
        for file in files {
            let data = try Data(contentsOf: file)
            let documents = file.pathExtension == "jsonl" ? data.split(separator: UInt8(ascii: "\n")).map { Data($0) } : [data]
            for document in documents where !document.isEmpty {
                let ours = try JSONParser.parse(Array(document))
                let theirs = try JSONSerialization.jsonObject(with: document, options: [.fragmentsAllowed])
                #expect(Self.same(ours, theirs), "\(file.lastPathComponent): \(String(decoding: document.prefix(120), as: UTF8.self))")
                compared += 1
            }
        }
        #expect(compared > 100)
    }

    @Test("long decimals parse to the correctly rounded double, as Swift's Double(String) reads them")
    func decimalsAreExact() throws {
        for text in ["0.42105263157894735", "0.32653061224489793", "0.13333333333333333", "2.2250738585072014e-308", "1e23", "-0.1"] {
            #expect(try JSONParser.parse(Array(text.utf8)) == .double(try #require(Double(text))), "\(text)")
        }
    }

    @Test("canonical bytes parse back to the same value")
    func roundTrip() throws {
        let value: JSONValue = [
            "z": [1, 2.5, "three", nil, true],
            "a": ["nested": ["deep": "quote \" and \\ and \n and \u{1} and é"]],
            "n": -42,
        ]
        let bytes = value.canonicalBytes
        #expect(try JSONParser.parse(bytes) == value)
        #expect(value.canonicalString.hasPrefix(#"{"a":{"nested":{"deep":"quote \" and \\ and \n and \u0001 and é"}}"#))
    }

    /// Structural equality between our value and Foundation's `Any` tree (numbers compared as doubles).
    /// Doubles may differ in the last few bits: Foundation's parser on Linux rounds some long decimals
    /// wrongly (it reads 0.42105263157894735 as 0.42105263157894746; Swift's `Double(String)` and ours
    /// read it exactly, which `decimalsAreExact` checks).
    static func same(_ value: JSONValue, _ other: Any) -> Bool {
        switch value {
        case .null: return other is NSNull
        case .bool(let flag): return (other as? NSNumber)?.boolValue == flag
        case .int(let number): return (other as? NSNumber)?.doubleValue == Double(number)
        case .double(let number):
            guard let theirs = (other as? NSNumber)?.doubleValue else { return false }
            return abs(theirs - number) <= 1e-14 * max(1, abs(number))
        case .string(let text): return (other as? String) == text
        case .array(let elements):
            guard let others = other as? [Any], others.count == elements.count else { return false }
            return zip(elements, others).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let others = other as? [String: Any], others.count == members.count else { return false }
            return members.allSatisfy { key, element in others[key].map { same(element, $0) } ?? false }
        }
    }
}
