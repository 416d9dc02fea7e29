import Foundation

/// Names of invented entities: how two names are compared, and whether a generated name may be used.
///
/// Two names are the same when their keys are: case and diacritics folded, a trailing parenthesised
/// qualifier ("Robert Whittaker (fighter)") and punctuation dropped, spaces collapsed. So "José Núñez"
/// collides with "Jose Nunez", and a seed's disambiguated title with the bare name.
public enum PrereqNames {
    /// Why a generated name cannot be used.
    public enum Problem: String, Sendable, Codable, Equatable {
        /// Empty after normalisation.
        case empty
        /// Equal to the seed (or containing the whole of a seed of several words) it is modelled on: the entity would not be fictitious.
        case sameAsSeed = "same_as_seed"
        /// Equal to another seed of the build's input.
        case seedName = "seed_name"
        /// Equal to a name already generated for another entity of the build.
        case generatedName = "generated_name"
    }

    /// The comparison key of `name`.
    public static func key(_ name: String) -> String {
        var text = name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        if text.hasSuffix(")"), let open = text.lastIndex(of: "("), open != text.startIndex {
            text = String(text[..<open])
        }
        let words = text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) })
        return words.joined(separator: " ")
    }

    /// Why `candidate` cannot name the entity modelled on `seed`, or nil when it can. `seedKeys` are the
    /// keys of the input's names, `takenKeys` those of names other entities already hold.
    public static func problem(candidate: String, seed: String, seedKeys: Set<String>, takenKeys: Set<String>) -> Problem? {
        let key = key(candidate)
        guard !key.isEmpty else { return .empty }
        let seedKey = Self.key(seed)
        // Containment only for seeds of two or more words: "Velmoric lymphedema" is a new entity, "Quincy Jones Jr" is not.
        if key == seedKey || (seedKey.contains(" ") && " \(key) ".contains(" \(seedKey) ")) { return .sameAsSeed }
        if seedKeys.contains(key) { return .seedName }
        if takenKeys.contains(key) { return .generatedName }
        return nil
    }

    /// The content words of `name` that identify it in a sentence: its words of three or more letters,
    /// minus stopwords and the domain words every medical name shares ("syndrome").
    public static func identifyingWords(_ name: String) -> Set<String> {
        Set(key(name).split(separator: " ").map(String.init).filter { $0.count >= 3 && !LexicalSupport.stopwords.contains($0) && !genericWords.contains($0) })
    }

    /// Whether `statement` names the entity `name`: it contains the whole name, or (as atomic statements
    /// about a person use the surname) one of its identifying words.
    public static func names(_ statement: String, entity name: String) -> Bool {
        let text = " \(key(statement)) "
        let whole = key(name)
        if !whole.isEmpty && text.contains(" \(whole) ") { return true }
        let words = Set(text.split(separator: " ").map(String.init))
        return !identifyingWords(name).isDisjoint(with: words)
    }

    static let genericWords: Set<String> = [
        "syndrome", "disease", "disorder", "fever", "deficiency", "type", "familial", "acute", "chronic", "infection", "virus",
        "dystrophy", "myopathy", "anaemia", "anemia", "neuropathy", "dermatosis", "encephalopathy", "carditis", "mr", "mrs", "dr",
        "sir", "von", "van", "der", "del", "jr",
    ]
}
