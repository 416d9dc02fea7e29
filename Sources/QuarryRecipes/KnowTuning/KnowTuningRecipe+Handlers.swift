import QuarryQueue

extension KnowTuningRecipe {
    public func register(into handlers: inout GraphHandlers) {
        @Sendable func stages(_ context: GraphContext) throws -> KnowTuningStages {
            KnowTuningStages(
                service: context.service, spec: context.spec, parameters: try context.parameters(Parameters.self), buildID: context.buildID,
                kind: context.task.kind)
        }

        handlers.register(Kinds.extract) { seed, context in
            let (facts, version) = try await stages(context).extract(seed.record)
            return Produced(facts, promptVersion: version)
        }
        handlers.register(Kinds.score) { element, context in
            let record = try await context.payload(of: Kinds.extract).record
            return Produced(try await stages(context).score(fact: element.element, record: record))
        }
        handlers.register(Kinds.select) { _, context in
            let children = try await context.children(Kinds.score)
            let scored = children.compactMap { child in child.output.map { (index: child.index, score: $0) } }
            let alpha = try context.parameters(Parameters.self).alpha
            return Produced(KnowTuningSelection.select(scored, failed: children.count - scored.count, alpha: alpha))
        }
        handlers.register(Kinds.rewrite) { element, context in
            let record = try await context.payload(of: Kinds.extract).record
            let (rewrite, version) = try await stages(context).rewrite(fact: element.element.fact, record: record)
            return Produced(rewrite, promptVersion: version)
        }
        handlers.register(Kinds.corruptCompleteness) { _, context in
            let seed = try await context.payload(of: Kinds.extract)
            let facts = try await context.output(of: Kinds.extract).facts
            let (negative, version) = try await stages(context).corruptCompleteness(facts: facts, record: seed.record, position: seed.position)
            return Produced(negative, promptVersion: version)
        }
        handlers.register(Kinds.corruptFactuality) { _, context in
            let record = try await context.payload(of: Kinds.extract).record
            let facts = try await context.output(of: Kinds.extract).facts
            let (negative, version) = try await stages(context).corruptFactuality(facts: facts, record: record)
            return Produced(negative, promptVersion: version)
        }
        handlers.register(Kinds.corruptLogicality) { _, context in
            let seed = try await context.payload(of: Kinds.extract)
            let facts = try await context.output(of: Kinds.extract).facts
            return Produced(try stages(context).corruptLogicality(facts: facts, position: seed.position))
        }
        handlers.register(Kinds.verify) { _, context in
            guard let aspect = KnowTuningAspect(verificationKey: context.task.key) else {
                throw TaskError.permanent("bad_payload", "task \(context.taskID) (\(context.task.key)) does not follow a knowtuning corruption")
            }
            let negative = try await context.output(of: Kinds.corrupt(aspect))
            let seed = try await context.payload(of: Kinds.extract)
            let original = try await context.output(of: Kinds.extract).facts
            let (verification, version) = try await stages(context).verify(negative, original: original, record: seed.record)
            return Produced(verification, promptVersion: version)
        }
    }

    public func export(_ context: ExportContext) async throws -> RecipeExportSummary {
        try await KnowTuningExporter(context: context).run()
    }
}
