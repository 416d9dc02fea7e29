/// `pqa.answer`'s output: one generator's answer to one question in one variant.
public struct PersonalizedQAAnswer: Sendable, Equatable, Codable {
    public var variant: PersonalizedQAVariant
    public var generator: String
    public var answer: String
    public var call: LLMCallRecord

    public init(variant: PersonalizedQAVariant, generator: String, answer: String, call: LLMCallRecord) {
        self.variant = variant
        self.generator = generator
        self.answer = answer
        self.call = call
    }

    public var arm: PersonalizedQAArm { PersonalizedQAArm(variant: variant, generator: generator) }
}
