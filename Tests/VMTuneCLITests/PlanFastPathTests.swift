import ArgumentParser
import Testing
import VMTuneTestSupport

@testable import vmtune

/// `vmtune plan` parses its common command lines without swift-argument-parser (start-up time);
/// whatever it accepts must mean exactly what swift-argument-parser makes of it, and anything
/// unusual must be left to swift-argument-parser, which owns help and every usage message.
struct PlanFastPathTests {
  /// swift-argument-parser's reading of `arguments` as a plan request, or nil when it refuses them.
  func parsed(_ arguments: [String]) -> PlanRequest? {
    (try? VMTune.parseAsRoot(arguments) as? PlanCommand)?.request
  }

  @Test(arguments: [
    ["plan", "kvm-host"],
    ["plan", "kvm-host", "latency"],
    ["plan", "profiles/kvm-host.yaml", "--no-color"],
    ["plan", "--root", "/srv/fx", "kvm-host"],
    ["plan", "--root=/srv/fx", "kvm-host", "--format", "json"],
    ["plan", "a", "--profile-dir", "d1", "b", "--profile-dir=d2", "--snapshot", "s.json", "--out=o.json"],
    ["plan", "kvm-host", "--format=text", "--no-color", "--out", "plan.json", "--snapshot=h.json"],
  ])
  func acceptedCommandLinesMeanWhatSwiftArgumentParserMakesOfThem(_ arguments: [String]) throws {
    let fast = try #require(PlanRequest(fastPath: arguments))
    #expect(fast == parsed(arguments))
  }

  @Test(arguments: [
    ["plan"],  // no profile: swift-argument-parser's usage error
    ["plan", "--help"], ["plan", "-h"], ["plan", "kvm-host", "--help"], ["help", "plan"],
    ["plan", "kvm-host", "--root"],  // missing value
    ["plan", "kvm-host", "--root", "--no-color"],  // value that looks like an option
    ["plan", "kvm-host", "--root="],
    ["plan", "kvm-host", "--format", "yaml"],  // not a format
    ["plan", "kvm-host", "--no-color", "--no-color"],  // repeated
    ["plan", "kvm-host", "--root", "a", "--root", "b"],
    ["plan", "kvm-host", "--no-color=yes"],
    ["plan", "kvm-host", "--bogus"], ["plan", "kvm-host", "-x"], ["plan", "--", "kvm-host"],
    ["plan", "kvm-host", "--generate-completion-script", "bash"],
    ["apply", "kvm-host"], ["--version"], [],
  ])
  func unusualCommandLinesGoToSwiftArgumentParser(_ arguments: [String]) {
    #expect(PlanRequest(fastPath: arguments) == nil)
  }

  /// Random command lines from plan's vocabulary (seeded): every one the fast path accepts,
  /// swift-argument-parser accepts with the same meaning.
  @Test func randomCommandLinesAgreeWithSwiftArgumentParser() {
    let words = [
      "kvm-host", "latency", "p.yaml", "--root", "/fx", "--root=/fx", "--profile-dir", "d", "--profile-dir=e",
      "--snapshot", "s.json", "--snapshot=t.json", "--format", "json", "text", "--format=json", "--out", "o.json",
      "--no-color", "-h", "--", "=", "--format=", "--bogus",
    ]
    var random = SplitMix64(seed: 0x5eed)
    var accepted = 0
    for _ in 0..<3000 {
      let count = Int(random.next() % 7)
      let arguments = ["plan"] + (0..<count).map { _ in words[Int(random.next() % UInt64(words.count))] }
      guard let fast = PlanRequest(fastPath: arguments) else { continue }
      accepted += 1
      #expect(fast == parsed(arguments), "\(arguments)")
    }
    #expect(accepted > 300, "the generator must exercise the fast path (accepted \(accepted) of 3000)")
  }
}
