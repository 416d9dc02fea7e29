/// Invented words used to inject hallucinations: proper nouns that exist in no language and odd numbers.
/// They are chosen so that a normal prompt never contains them; any that a particular prompt *does* contain
/// are skipped for that request, so an injected word is always absent from the prompt.
enum FictitiousVocabulary {
    static let properNouns: [String] = [
        "Zorvath", "Quillmere", "Brannoxia", "Velthuria", "Ostrakine", "Maraventh", "Clorindel", "Thessalvy",
        "Drunmoor", "Yselbrach", "Kavrenthal", "Pellucidra", "Ombrasque", "Virnholt", "Saxelune", "Tavrimosk",
        "Querindale", "Halvenport", "Morvessa", "Grisantheon", "Elbrixa", "Nordvallen", "Ulmastre", "Feyrolan",
    ]

    static let numbers: [String] = [
        "1847", "3919", "7213", "41077", "2653", "88431", "5179", "6047", "12883", "947", "30517", "1731",
    ]

    /// Normalised keys of every fictitious word, for ground-truth scans.
    static let keys: Set<String> = Set((properNouns + numbers).map { WordNormalizer.key($0) })

    /// The fictitious words in `text` that `promptKeys` does not contain: non-empty means the text
    /// asserts something its prompt cannot support.
    static func inventedWords(in text: String, promptKeys: Set<String>) -> [String] {
        var found: [String] = []
        for key in WordNormalizer.keys(in: text) where keys.contains(key) && !promptKeys.contains(key) {
            if !found.contains(key) { found.append(key) }
        }
        return found
    }
}
