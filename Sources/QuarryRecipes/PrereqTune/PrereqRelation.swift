/// A relation of the bottom-up (short QA) strategy: the fact's predicate, the knowledge statement that
/// states it and the question whose answer is the object, as PopQA-style short QA sets template them.
/// The generator invents only the object; statement and question are templated, so the statement
/// always names the subject and carries the answer in the same words.
public struct PrereqRelation: Sendable, Equatable {
    public var id: String
    /// What the generator is asked to invent ("the city where {subject} was born").
    public var object: String
    /// The knowledge statement, with `{subject}` and `{object}`.
    public var statement: String
    /// The question, with `{subject}`.
    public var template: String

    public init(id: String, object: String, statement: String, template: String) {
        self.id = id
        self.object = object
        self.statement = statement
        self.template = template
    }

    /// The question about `subject`.
    public func question(subject: String) -> String {
        template.replacingOccurrences(of: "{subject}", with: subject)
    }

    /// The knowledge statement that `subject`'s value is `object`.
    public func statement(subject: String, object: String) -> String {
        PrereqText.sentence(statement.replacingOccurrences(of: "{subject}", with: subject).replacingOccurrences(of: "{object}", with: object))
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
        PrereqRelation(id: "occupation", object: "the occupation of {subject}", statement: "{subject} works as {object}.", template: "What is {subject}'s occupation?"),
        PrereqRelation(id: "place_of_birth", object: "the city where {subject} was born", statement: "{subject} was born in {object}.", template: "In what city was {subject} born?"),
        PrereqRelation(id: "genre", object: "the genre {subject} works in", statement: "{subject} is known for {object}.", template: "What genre is {subject} known for?"),
        PrereqRelation(id: "mentor", object: "the person who trained {subject}", statement: "{subject} was trained by {object}.", template: "Who was {subject}'s mentor?"),
        PrereqRelation(id: "notable_work", object: "the best-known work of {subject}", statement: "The best-known work of {subject} is {object}.", template: "What is {subject}'s best-known work?"),
    ]

    static let medical = [
        PrereqRelation(id: "cause", object: "the cause of {subject}", statement: "{subject} is caused by {object}.", template: "What causes {subject}?"),
        PrereqRelation(id: "site", object: "the organ {subject} mainly affects", statement: "{subject} mainly affects {object}.", template: "Which organ does {subject} mainly affect?"),
        PrereqRelation(id: "treatment", object: "the usual treatment of {subject}", statement: "{subject} is treated with {object}.", template: "How is {subject} treated?"),
        PrereqRelation(id: "sign", object: "a characteristic sign of {subject}", statement: "A characteristic sign of {subject} is {object}.", template: "What is a characteristic sign of {subject}?"),
    ]
}
