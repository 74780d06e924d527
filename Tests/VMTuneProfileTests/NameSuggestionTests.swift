import Testing
import VMTuneProfile

/// "Did you mean …?" for names a user mistypes: profiles named in `include:` and the nearest-name
/// rule the CLI uses for profile names and subcommands.
@Suite struct NameSuggestionTests {
  @Test func nearestNameIsSuggestedOnlyWhenClose() {
    #expect(NameSuggestion.nearest(to: "kvm-hots", among: ["base", "kvm-host", "latency"]) == "kvm-host")
    #expect(NameSuggestion.nearest(to: "aply", among: ["apply", "plan", "check"]) == "apply")
    #expect(NameSuggestion.nearest(to: "Plan", among: ["apply", "plan"]) == "plan")
    #expect(NameSuggestion.nearest(to: "zzzzzzzz", among: ["apply", "plan"]) == nil)
    #expect(NameSuggestion.nearest(to: "x", among: []) == nil)
  }

  @Test func includeOfAMistypedNameSuggestsTheNearestProfile() throws {
    let reader = MemoryProfileReader([
      "site/p.yaml": "apiVersion: vmtune/v1\ninclude: [bsae]\n",
      "lib/base.yaml": "apiVersion: vmtune/v1\n",
      "lib/latency.yaml": "apiVersion: vmtune/v1\n",
    ])
    do {
      _ = try ProfileLoader(reader: reader, searchPath: ["lib"]).load(path: "site/p.yaml")
      Issue.record("an include of a missing profile loaded")
    } catch {
      let e = try #require(error.errors.first)
      #expect(e.message == "no profile named 'bsae'")
      #expect(e.hint?.hasPrefix("did you mean 'base'?") == true, "\(e.hint ?? "")")
    }
  }

  @Test func memoryReaderListsTheNamesOfADirectory() {
    let reader = MemoryProfileReader(["lib/a.yaml": "", "lib/b.yml": "", "lib/sub/c.yaml": "", "other/d.yaml": ""])
    #expect(reader.list("lib") == ["a.yaml", "b.yml"])
  }
}
