/// A kernel release as `major.minor.patch`, parsed leniently from `uname -r` text
/// (`6.18.44-fc-v669`, `2.6.32-358.23.2.el5.x86_64`).
public struct KernelVersion: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  public var major: Int
  public var minor: Int
  public var patch: Int

  public init(_ major: Int, _ minor: Int, _ patch: Int = 0) {
    self.major = major
    self.minor = minor
    self.patch = patch
  }

  /// Parses the leading dotted numbers of a release string; nil when there is no `N.N`.
  public init?(parsing text: some StringProtocol) {
    var parts: [Int] = []
    var current = ""
    for ch in text {
      if ch.isASCII, ch.isNumber {
        current.append(ch)
      } else {
        guard !current.isEmpty, let n = Int(current) else { break }
        parts.append(n)
        current = ""
        if ch != "." || parts.count == 3 { break }
      }
    }
    if !current.isEmpty, parts.count < 3, let n = Int(current) { parts.append(n) }
    guard parts.count >= 2 else { return nil }
    self.init(parts[0], parts[1], parts.count > 2 ? parts[2] : 0)
  }

  public static func < (a: KernelVersion, b: KernelVersion) -> Bool {
    (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
  }

  public var description: String {
    patch == 0 ? "\(major).\(minor)" : "\(major).\(minor).\(patch)"
  }
}
