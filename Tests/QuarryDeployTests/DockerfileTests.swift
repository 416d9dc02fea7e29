import Foundation
import Testing

/// deploy/docker/Dockerfile under hadolint (no Docker engine is needed to lint it).
@Suite("Container image: hadolint")
struct DockerfileTests {
    static let dockerfile = DeployTools.path("docker/Dockerfile")

    @Test("the Dockerfile is lint-clean under hadolint")
    func lintClean() async throws {
        let result = try await DeployTools.run(["hadolint", Self.dockerfile])
        #expect(result.status == 0, "hadolint: \(result.output)")
        #expect(result.output.isEmpty, "hadolint: \(result.output)")
    }

    @Test("a broken instruction or a bad practice fails with hadolint's message", arguments: [
        ("--no-install-recommends libpq5", "libpq5", "DL3015"),
        ("ENTRYPOINT [\"quarry\"]", "ENTRYPONT [\"quarry\"]", "unexpected"),
    ])
    func rejectsMistakes(old: String, new: String, expected: String) async throws {
        try await DeployTools.withCopy(of: Self.dockerfile) { copy in
            try DeployTools.replace(old, with: new, in: copy)
            let result = try await DeployTools.run(["hadolint", copy])
            #expect(result.status != 0)
            #expect(result.output.contains(expected), "hadolint said: \(result.output)")
        }
    }

    @Test("the image runs quarry as a non-root user, carries the migrations, and has no HEALTHCHECK")
    func shape() async throws {
        let text = try String(contentsOfFile: Self.dockerfile, encoding: .utf8)
        let instructions = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix(" ") }
        #expect(instructions.contains("ENTRYPOINT [\"quarry\"]"))
        #expect(instructions.contains { $0.hasPrefix("USER 10001") })
        #expect(instructions.contains { $0.hasPrefix("COPY migrations ") })
        #expect(instructions.contains { $0.hasPrefix("ENV QUARRY_MIGRATIONS=") })
        #expect(!instructions.contains { $0.hasPrefix("HEALTHCHECK") })
        #expect(instructions.filter { $0.hasPrefix("FROM ") }.count == 2, "multi-stage: a build stage and a runtime stage")
    }
}
