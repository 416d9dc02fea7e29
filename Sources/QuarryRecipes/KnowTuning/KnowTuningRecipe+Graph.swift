import QuarryQueue

extension KnowTuningRecipe {
    /// The typed kinds of the graph.
    public enum Kinds {
        public static let extract = TaskKind<Seed<KnowTuningRecord>, KnowTuningFacts>(KindName.extract, family: .generation, priority: 5)
        public static let score = TaskKind<EachElement<String>, KnowTuningScore>(KindName.score, family: .verification)
        /// Code only: no endpoint.
        public static let select = TaskKind<Joined<KnowTuningFacts>, KnowTuningSelection>(KindName.select, family: .verification)
        public static let rewrite = TaskKind<EachElement<KnowTuningSelection.HardFact>, KnowTuningRewrite>(KindName.rewrite, family: .generation)
        public static let corruptCompleteness = TaskKind<Follows<KnowTuningFacts>, KnowTuningNegative>(
            KindName.corrupt(.completeness), family: .corruption)
        public static let corruptFactuality = TaskKind<Follows<KnowTuningFacts>, KnowTuningNegative>(
            KindName.corrupt(.factuality), family: .corruption)
        /// Code only: no endpoint.
        public static let corruptLogicality = TaskKind<Follows<KnowTuningFacts>, KnowTuningNegative>(
            KindName.corrupt(.logicality), family: .corruption)
        /// Follows each corruption; its parent's kind says which aspect it checks.
        public static let verify = TaskKind<Follows<KnowTuningNegative>, KnowTuningVerification>(KindName.verify, family: .verification)

        public static func corrupt(_ aspect: KnowTuningAspect) -> TaskKind<Follows<KnowTuningFacts>, KnowTuningNegative> {
            switch aspect {
            case .completeness: corruptCompleteness
            case .factuality: corruptFactuality
            case .logicality: corruptLogicality
            }
        }
    }

    public func graph(parameters: RecipeParameters) -> RecipeGraph {
        var graph = RecipeGraph()
        graph.seed(kind: Kinds.extract)
        graph.forEach(from: Kinds.extract, field: KnowTuningFacts.factsField, to: Kinds.score)
        graph.join(parent: Kinds.extract, over: [Kinds.score], to: Kinds.select)
        graph.forEach(from: Kinds.select, field: KnowTuningSelection.hardField, to: Kinds.rewrite)
        for aspect in KnowTuningAspect.allCases {
            graph.then(
                from: Kinds.extract, to: Kinds.corrupt(aspect),
                when: .compare(field: KnowTuningFacts.CodingKeys.factCount.rawValue, .greaterOrEqual, .number(Double(aspect.minimumFacts))))
            graph.then(from: Kinds.corrupt(aspect), to: Kinds.verify)
        }
        return graph
    }
}

extension KnowTuningFacts {
    /// What `knowtuning.score` fans out over.
    public static let factsField = ListField<KnowTuningFacts, String>(CodingKeys.facts.rawValue)
}

extension KnowTuningSelection {
    /// What `knowtuning.rewrite` fans out over.
    public static let hardField = ListField<KnowTuningSelection, HardFact>("hard")
}

extension KnowTuningAspect {
    /// The aspect a verification checks, from its key (`…/knowtuning.corrupt.<aspect>/knowtuning.verify`):
    /// the verification's parent is the corruption.
    init?(verificationKey key: String) {
        let parts = key.split(separator: "/")
        guard parts.count >= 2, parts[parts.count - 1] == KnowTuningRecipe.KindName.verify else { return nil }
        guard let aspect = Self.allCases.first(where: { KnowTuningRecipe.KindName.corrupt($0) == parts[parts.count - 2] }) else { return nil }
        self = aspect
    }
}
