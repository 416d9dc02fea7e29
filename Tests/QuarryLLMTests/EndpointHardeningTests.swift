import Foundation
import QuarryLLM
import QuarryQueue
import Testing

@Suite("Endpoints file: headers, secrets and ranges")
struct EndpointHardeningTests {
    static func file(headers: String = "", extra: String = "", top: String = "") -> String {
        """
        \(top)
        endpoints:
          - name: gw
            base_url: https://gateway.invalid/v1
            model: m
            api_key_env: GW_KEY
            \(headers.isEmpty ? "" : "headers: \(headers)")
            \(extra)
        """
    }

    static func error(_ yaml: String) -> EndpointConfigurationError? {
        do {
            _ = try EndpointRegistry.parse(yaml: yaml)
            return nil
        } catch {
            return error
        }
    }

    @Test("every credential-bearing header is refused inline, whatever its case or padding, with a pointer to api_key_env")
    func credentialHeaders() throws {
        for name in ["Authorization", "\" AUTHORIZATION \"", "Proxy-Authorization", "api-key", "X-API-Key", "x-api-key"] {
            let error = Self.error(Self.file(headers: "{\(name): sk-live-secret}"))
            #expect(error?.code == .invalidValue, "\(name) was accepted")
            #expect(error?.message.contains("api_key_env") == true, "\(name): \(String(describing: error))")
            #expect(error.map { !"\($0)".contains("sk-live-secret") } ?? true)
        }
        // A configurable list adds more.
        let custom = Self.error(Self.file(headers: "{X-Goog-Api-Key: sk-live-secret}", top: "credential_headers: [x-goog-api-key]"))
        #expect(custom?.message.contains("api_key_env") == true, "\(String(describing: custom))")
        #expect(try EndpointRegistry.parse(yaml: Self.file(headers: "{X-Goog-Api-Key: fine}"))["gw"]?.headers["X-Goog-Api-Key"] == "fine")
    }

    @Test("header names must be tokens and values must not hold CR, LF or other controls; errors never echo the value")
    func headerSyntax() throws {
        let crlf = Self.error(Self.file(headers: #"{X-Trace: "abc\r\nX-Injected: sk-live-secret"}"#))
        #expect(crlf?.code == .invalidValue && crlf?.message.contains("line break") == true, "\(String(describing: crlf))")
        #expect(crlf.map { !"\($0)".contains("sk-live-secret") } ?? false)
        let badName = Self.error(Self.file(headers: #"{"X Trace": v}"#))
        #expect(badName?.code == .invalidValue, "\(String(describing: badName))")
        let padded = try EndpointRegistry.parse(yaml: Self.file(headers: #"{" X-Trace ": v}"#))
        #expect(padded["gw"]?.headers == ["X-Trace": "v"])
    }

    @Test("a malformed endpoints file is reported by line and column, without the offending text")
    func malformedFileDoesNotEcho() throws {
        let yaml = """
            endpoints:
              - name: gw
                base_url: https://gateway.invalid/v1
                model: m
                headers: {OpenAI-Organization: "sk-live-secret-in-a-broken-line}
            """
        let error = try #require(Self.error(yaml))
        #expect(error.code == .invalidYAML)
        #expect(!"\(error)".contains("sk-live-secret"), "\(error)")
        #expect(error.line != nil)
    }

    @Test("durations and sizes are range-checked when the file is read")
    func ranges() throws {
        for extra in ["timeout_seconds: 1e300", "timeout_seconds: 0.001", "timeout_seconds: 7200", "max_in_flight: 10000000", "rpm: 1000000000000"] {
            let error = Self.error(Self.file(extra: extra))
            #expect(error?.code == .invalidValue, "\(extra) was accepted")
            #expect(error?.message.contains("between") == true || error?.message.contains("must be") == true, "\(extra): \(String(describing: error))")
        }
        #expect(try EndpointRegistry.parse(yaml: Self.file(extra: "timeout_seconds: 3600"))["gw"]?.timeoutSeconds == 3600)
    }

    @Test("an endpoint this worker's file lacks releases the task to other workers instead of killing it")
    func unknownEndpointIsARelease() {
        let error = LLMError(code: .unknownEndpoint, endpoint: "gpt", message: "no endpoint named 'gpt'")
        #expect(error.taskError.action == .leaveToOtherWorkers(reason: "no endpoint named 'gpt'"))
    }
}
