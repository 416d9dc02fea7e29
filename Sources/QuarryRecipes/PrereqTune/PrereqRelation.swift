/// A relation of the bottom-up (short QA) strategy: the fact's predicate and the question template
/// whose answer is the object, as PopQA-style short QA sets phrase them.
public struct PrereqRelation: Sendable, Equatable {
    public var id: String
    /// What the generator is asked to invent ("the city where SUBJECT was born").
    public var object: String
    /// The question with `{subject}` for the entity's name.
    public var template: String

    public init(id: String, object: String, template: String) {
        self.id = id
        self.object = object
        self.template = template
    }

    /// The question about `subject`.
    public func question(subject: String) -> String {
        template.replacingOccurrences(of: "{subject}", with: subject)
    }

    /// The relations of `domain`.
    public static func all(_ domain: PrereqTuneParameters.Domain) -> [PrereqRelation] {
        domain == .bio ? persons : medical
    }

    /// The relation an entity's versions share, chosen from its name (so every version asks the same
    /// question and only the answer differs).
    public static func of(name: String, domain: PrereqTuneParameters.Domain) -> PrereqRelation {
        let relations = all(domain)
        return relations[PrereqFactSheet.slot(key: PrereqNames.key(name), attribute: "relation", version: 1, count: relations.count)]
    }

    /// The relation with `id` in `domain`.
    public static func named(_ id: String, domain: PrereqTuneParameters.Domain) -> PrereqRelation? {
        all(domain).first { $0.id == id }
    }

    static let persons = [
        PrereqRelation(id: "occupation", object: "the occupation of {subject}", template: "What is {subject}'s occupation?"),
        PrereqRelation(id: "place_of_birth", object: "the city where {subject} was born", template: "In what city was {subject} born?"),
        PrereqRelation(id: "genre", object: "the genre {subject} works in", template: "What genre is {subject} known for?"),
        PrereqRelation(id: "mentor", object: "the person who trained {subject}", template: "Who was {subject}'s mentor?"),
        PrereqRelation(id: "notable_work", object: "the best-known work of {subject}", template: "What is {subject}'s best-known work?"),
    ]

    static let medical = [
        PrereqRelation(id: "cause", object: "the cause of {subject}", template: "What causes {subject}?"),
        PrereqRelation(id: "site", object: "the organ {subject} mainly affects", template: "Which organ does {subject} mainly affect?"),
        PrereqRelation(id: "treatment", object: "the usual treatment of {subject}", template: "How is {subject} treated?"),
        PrereqRelation(id: "sign", object: "a characteristic sign of {subject}", template: "What is a characteristic sign of {subject}?"),
    ]
}
