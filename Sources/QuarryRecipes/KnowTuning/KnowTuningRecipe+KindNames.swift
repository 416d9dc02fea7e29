extension KnowTuningRecipe {
    /// The task kinds' names (what the queue stores and the report counts stages by).
    public enum KindName {
        public static let extract = "knowtuning.extract"
        public static let score = "knowtuning.score"
        public static let select = "knowtuning.select"
        public static let rewrite = "knowtuning.rewrite"
        public static let verify = "knowtuning.verify"

        public static func corrupt(_ aspect: KnowTuningAspect) -> String { "knowtuning.corrupt.\(aspect.rawValue)" }

        /// Every kind, in graph order.
        public static let all = [extract, score, select, rewrite] + KnowTuningAspect.allCases.map(corrupt) + [verify]
    }
}
