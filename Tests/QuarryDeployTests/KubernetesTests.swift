import Foundation
import QuarryPostgres
import Testing
import Yams

/// deploy/kubernetes: the kustomization renders, core kinds pass `kubernetes-validate --strict`, and KEDA's
/// resources pass the vendored KEDA CRDs' schemas (made strict) with check-jsonschema.
@Suite("Kubernetes: kustomize, kubernetes-validate, KEDA CRD schema")
struct KubernetesTests {
    static let base = DeployTools.path("kubernetes/base")
    static let overlay = DeployTools.path("kubernetes/overlays/example")
    static let baseFiles = ["config.yaml", "migrate-job.yaml", "coordinator.yaml", "worker.yaml", "worker-scaling.yaml", "disruption-budgets.yaml"]
    static let kedaKinds = ["ScaledObject": "keda.sh_scaledobjects.yaml", "TriggerAuthentication": "keda.sh_triggerauthentications.yaml"]

    @Test("the base and the example overlay render")
    func renders() async throws {
        if Kustomize.command == nil {
            print("note: no kustomize 4+ installed (not on PyPI or Debian); checked resources and patch targets instead")
        }
        for directory in [Self.base, Self.overlay] {
            let result = try await Kustomize.render(directory)
            #expect(result.status == 0, "rendering \(directory): \(result.output)")
            #expect(Kustomize.command == nil || result.rendered.contains("kind: Deployment"), "rendering \(directory) gave: \(result.rendered.prefix(500))")
        }
    }

    @Test("every core resource passes kubernetes-validate --strict, as written and as rendered")
    func coreKinds() async throws {
        // The overlay's worker-pool.yaml is a partial patch, checked as part of the rendered overlay.
        let files = Self.baseFiles.map { Self.base + "/" + $0 } + [Self.overlay + "/namespace.yaml"]
        for file in files {
            let result = try await DeployTools.run(["kubernetes-validate", "--strict", file])
            #expect(result.status == 0 && !result.output.contains("ERROR"), "\(file): \(result.output)")
        }
        let rendered = try await Kustomize.render(Self.overlay).rendered
        guard !rendered.isEmpty else { return }
        try await Self.withFile(rendered) { file in
            let result = try await DeployTools.run(["kubernetes-validate", "--strict", file])
            #expect(result.status == 0 && !result.output.contains("ERROR"), "rendered overlay: \(result.output)")
            #expect(result.output.contains("deployment/quarry-worker"), "rendered overlay: \(result.output)")
        }
    }

    @Test("the ScaledObject and TriggerAuthentication pass KEDA's CRD schemas, as written and as rendered")
    func kedaResources() async throws {
        var sources = [try String(contentsOfFile: Self.base + "/worker-scaling.yaml", encoding: .utf8)]
        let rendered = try await Kustomize.render(Self.overlay).rendered
        if !rendered.isEmpty { sources.append(rendered) }
        for source in sources {
            let checked = try await Self.validateKEDA(source)
            #expect(checked.count == 2, "expected a ScaledObject and a TriggerAuthentication, checked \(checked.map(\.kind))")
            for result in checked {
                #expect(result.status == 0, "\(result.kind): \(result.output)")
            }
        }
    }

    @Test("a wrong field fails with the validator's message", arguments: [
        ("base/worker.yaml", "terminationGracePeriodSeconds: 90", "terminationGracePeriod: 90", "'terminationGracePeriod' was unexpected"),
        ("base/coordinator.yaml", "replicas: 2", "replicas: \"2\"", "'2' is not of type 'integer'"),
        ("base/worker-scaling.yaml", "minReplicaCount: 0", "minReplicas: 0", "'minReplicas' was unexpected"),
        ("base/worker-scaling.yaml", "    - parameter: connection", "    - parameter: connection\n      optional: maybe", "'optional' was unexpected"),
    ])
    func rejectsWrongFields(file: String, old: String, new: String, expected: String) async throws {
        try await DeployTools.withCopy(of: DeployTools.path("kubernetes")) { copy in
            let path = copy + "/" + file
            try DeployTools.replace(old, with: new, in: path)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let outputs: [(status: Int32, output: String)]
            if file.hasSuffix("worker-scaling.yaml") {
                outputs = try await Self.validateKEDA(text).map { ($0.status, $0.output) }
            } else {
                outputs = [try await DeployTools.run(["kubernetes-validate", "--strict", path])]
            }
            #expect(outputs.contains { $0.status != 0 }, "the validator accepted: \(outputs.map(\.output))")
            #expect(outputs.contains { $0.output.contains(expected) }, "validator said: \(outputs.map(\.output))")
        }
    }

    @Test("every patch in the overlay names a resource the kustomization has")
    func patchesMatch() async throws {
        // kustomize silently skips a `target:` patch that selects nothing, so this is checked on its own.
        #expect(try Kustomize.structuralCheck(Self.overlay) == [])
    }

    @Test("a patch whose target does not exist is caught", arguments: [
        // A strategic-merge patch file naming a missing resource: kustomize's render fails.
        ("overlays/example/worker-pool.yaml", "  name: quarry-worker\n", "  name: quarry-workers\n"),
        // A JSON patch whose target selects nothing: kustomize renders without it; the structural check fails.
        ("overlays/example/kustomization.yaml", "      name: quarry-worker\n", "      name: quarry-workers\n"),
    ])
    func unmatchedPatch(file: String, old: String, new: String) async throws {
        try await DeployTools.withCopy(of: DeployTools.path("kubernetes")) { copy in
            try DeployTools.replace(old, with: new, in: copy + "/" + file)
            let overlay = copy + "/overlays/example"
            let rendered = try await Kustomize.render(overlay)
            let problems = try Kustomize.structuralCheck(overlay)
            #expect(rendered.status != 0 || !problems.isEmpty, "a patch of quarry-workers went unnoticed")
            let said = rendered.output + problems.joined(separator: "\n")
            #expect(said.contains("quarry-workers"), "kustomize and the check said: \(said)")
        }
    }

    @Test("workers: grace longer than --shutdown-grace, requests, probes on the health port, KEDA from zero to a cap")
    func workerShape() async throws {
        let documents = try Self.baseFiles.flatMap { file in
            try Yams.load_all(yaml: String(contentsOfFile: Self.base + "/" + file, encoding: .utf8)).compactMap { $0 as? [String: Any] }
        }
        func resource(_ kind: String, _ name: String) throws -> [String: Any] {
            try #require(documents.first { $0["kind"] as? String == kind && ($0["metadata"] as? [String: Any])?["name"] as? String == name })
        }
        let worker = try resource("Deployment", "quarry-worker")
        let pod = try #require(((worker["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        let args = try #require(container["args"] as? [String])
        let grace = try #require(ComposeTests.option("--shutdown-grace", in: args).flatMap(Double.init))
        let termination = try #require(pod["terminationGracePeriodSeconds"] as? Int)
        #expect(Double(termination) > grace + 10, "terminationGracePeriodSeconds \(termination) must exceed --shutdown-grace \(grace) plus the final flush")
        let requests = (container["resources"] as? [String: Any])?["requests"] as? [String: Any]
        #expect(requests?["cpu"] != nil && requests?["memory"] != nil)
        let healthPort = try #require(ComposeTests.option("--health-port", in: args).flatMap(Int.init))
        let ports = container["ports"] as? [[String: Any]] ?? []
        #expect(ports.contains { $0["name"] as? String == "health" && $0["containerPort"] as? Int == healthPort })
        for (probe, path) in [("readinessProbe", "/readyz"), ("livenessProbe", "/livez")] {
            let get = (container[probe] as? [String: Any])?["httpGet"] as? [String: Any]
            #expect(get?["path"] as? String == path && get?["port"] as? String == "health", "\(probe): \(String(describing: get))")
        }
        let fromSecrets = (container["envFrom"] as? [[String: Any]] ?? []).compactMap { ($0["secretRef"] as? [String: Any])?["name"] as? String }
        #expect(fromSecrets == ["quarry-api-keys"])

        let coordinator = try resource("Deployment", "quarry-coordinator")
        #expect((coordinator["spec"] as? [String: Any])?["replicas"] as? Int == 2)
        let scaled = try #require(try resource("ScaledObject", "quarry-worker")["spec"] as? [String: Any])
        #expect(scaled["minReplicaCount"] as? Int == 0)
        #expect((scaled["maxReplicaCount"] as? Int ?? 0) > 0)
        let trigger = try #require((scaled["triggers"] as? [[String: Any]])?.first)
        #expect(trigger["type"] as? String == "postgresql")
        let metadata = try #require(trigger["metadata"] as? [String: String])
        // KEDA does not schema-check a trigger's metadata; these are the postgresql scaler's keys.
        let known: Set<String> = ["query", "targetQueryValue", "activationTargetQueryValue", "connectionFromEnv", "host", "port",
                                  "userName", "dbName", "sslmode", "passwordFromEnv"]
        #expect(Set(metadata.keys).isSubset(of: known), "unknown postgresql trigger keys: \(Set(metadata.keys).subtracting(known))")
        #expect(Int(metadata["targetQueryValue"] ?? "") ?? 0 > 0)
        for name in ["quarry-worker", "quarry-coordinator"] {
            _ = try resource("PodDisruptionBudget", name)
        }
        _ = try resource("Job", "quarry-migrate")
    }

    // MARK: Helpers

    /// Validates each KEDA resource in a YAML stream against its CRD's schema; one result per resource.
    static func validateKEDA(_ stream: String) async throws -> [(kind: String, status: Int32, output: String)] {
        let directory = NSTemporaryDirectory() + "quarry-keda-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var results: [(kind: String, status: Int32, output: String)] = []
        for (index, document) in documents(in: stream).enumerated() {
            guard let kind = document.split(separator: "\n").first(where: { $0.hasPrefix("kind: ") })?.dropFirst(6),
                let crd = kedaKinds[String(kind)]
            else { continue }
            let schema = "\(directory)/\(kind).schema.json"
            if !FileManager.default.fileExists(atPath: schema) {
                let made = try await DeployTools.run([
                    "python3", DeployTools.repository.appendingPathComponent("scripts/crd-json-schema.py").path,
                    DeployTools.fixture("schemas/" + crd), "v1alpha1", schema,
                ])
                try #require(made.status == 0, "crd-json-schema.py: \(made.output)")
            }
            let file = "\(directory)/\(index)-\(kind).yaml"
            try document.write(toFile: file, atomically: true, encoding: .utf8)
            let result = try await DeployTools.run(["check-jsonschema", "--schemafile", schema, file])
            results.append((String(kind), result.status, result.output))
        }
        return results
    }

    /// The documents of a YAML stream, split on `---` lines.
    static func documents(in stream: String) -> [String] {
        stream.components(separatedBy: "\n").split { $0 == "---" }.map { $0.joined(separator: "\n") + "\n" }
    }

    static func withFile<T>(_ text: String, _ body: (String) async throws -> T) async throws -> T {
        let file = NSTemporaryDirectory() + "quarry-rendered-\(UUID().uuidString.prefix(8)).yaml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        return try await body(file)
    }
}
