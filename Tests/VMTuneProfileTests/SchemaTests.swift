import Foundation
import Testing
import VMTuneProfile
import VMTuneTestSupport

@Suite struct SchemaTests {
  static let path = repositoryRoot() + "/schema/profile.schema.json"

  @Test func committedSchemaIsTheGeneratedOne() throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let generated = String(decoding: try encoder.encode(ProfileSchema.document()), as: UTF8.self) + "\n"
    let committed = try String(contentsOfFile: Self.path, encoding: .utf8)
    #expect(committed == generated, "run: vmtune schema > schema/profile.schema.json")
  }

  @Test func schemaCoversEverySettableKnob() throws {
    let json =
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.path))) as? [String: Any]
    let sysctl = (json?["properties"] as? [String: Any])?["sysctl"] as? [String: Any]
    let keys = Set(((sysctl?["properties"] as? [String: Any]) ?? [:]).keys)
    let settable = Set(KnobCatalog.all.values.filter { !$0.isTrigger && $0.removedIn == nil }.map(\.name))
    #expect(keys == settable)
    #expect(!keys.contains("drop_caches"))
  }

  static let python = Prerequisite.python3(
    modules: ["jsonschema", "yaml"], install: "apt-get install python3-jsonschema python3-yaml")

  /// With Python's jsonschema and PyYAML (present on the build image), the shipped profiles
  /// validate and known-bad documents do not. Skipped with the reason where they are missing;
  /// a failure in CI.
  @Test(SchemaTests.python.trait)
  func pythonJsonschemaAgrees() throws {
    guard Self.python.check() else { return }
    let script = """
      import glob, json, sys
      try:
          import jsonschema, yaml
      except ImportError:
          print("SKIP"); sys.exit(0)
      v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
      bad = ["apiVersion: vmtune/v1\\nsysctl:\\n  swapiness: 1\\n",
             "apiVersion: vmtune/v1\\nsysctl:\\n  swappiness: 300\\n",
             "apiVersion: vmtune/v1\\nsysctl:\\n  zone_reclaim_mode: 9\\n",
             "apiVersion: vmtune/v1\\nsysctl:\\n  drop_caches: 3\\n",
             "apiVersion: vmtune/v1\\nactions:\\n  compact: { nodes: all }\\n"]
      good = [p for p in sorted(glob.glob(sys.argv[2] + "/*.yaml"))
              if list(v.iter_errors(yaml.safe_load(open(p)))) == []]
      rejected = [b for b in bad if list(v.iter_errors(yaml.safe_load(b)))]
      print(len(good), len(rejected))
      """
    let run = try runProgram("/usr/bin/env", ["python3", "-c", script, Self.path, repositoryRoot() + "/profiles"])
    #expect(run.status == 0 && !run.signalled, "\(run.stderr)")
    let text = run.stdout
    if text.hasPrefix("SKIP") {
      Issue.record("cannot run: python3 could not import jsonschema and yaml")
      return
    }
    #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "7 5")
  }
}
