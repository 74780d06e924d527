/// "Did you mean …?" for mistyped names: profiles, includes, subcommands.
public enum NameSuggestion {
  /// The name in `candidates` nearest to `name` (case aside), when it is close enough to be a
  /// typo: at most 2 edits, or a third of the name's length for long names. Ties go to the
  /// alphabetically first.
  public static func nearest(to name: String, among candidates: [String]) -> String? {
    let lowered = name.lowercased()
    return candidates.map { ($0, editDistance(lowered, $0.lowercased())) }
      .filter { $0.1 <= max(2, $0.0.count / 3) }
      .min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
  }

  /// `did you mean 'x'?`, or nil when nothing is near.
  public static func hint(for name: String, among candidates: [String]) -> String? {
    nearest(to: name, among: candidates).map { "did you mean '\($0)'?" }
  }
}
