import Foundation
import Testing
import VMTuneProfile
import VMTuneTestSupport

/// `unchecked:` manages a vm knob the catalog lacks (a kernel newer than vmtune, a vendor patch):
/// an integer checked only against the kernel's int range, never a catalogued knob.
@Suite struct UncheckedKnobTests {
  func errors(_ body: String) -> [ProfileError] {
    do {
      _ = try loadProfile(body)
      return []
    } catch let e as ProfileErrors {
      return e.errors
    } catch {
      return [ProfileError(file: "", mark: nil, message: "\(error)")]
    }
  }

  @Test func anUncataloguedKnobLoadsFromTheUncheckedSection() throws {
    let p = try loadProfile("unchecked:\n  shrink_inodes_with_pagecache: 1\n  my_vendor_knob: { at_most: 5 }\n")
    let s = try #require(p.setting("shrink_inodes_with_pagecache"))
    #expect(s.knob.isUnchecked)
    #expect(s.knob.type == .int)
    #expect(s.target == .exact(.int(1)))
    #expect(p.setting("my_vendor_knob")?.target == .atMost(5))
    #expect(KnobCatalog.knob("shrink_inodes_with_pagecache") == nil, "the catalog itself is unchanged")
  }

  @Test func valuesAreCheckedAgainstTheKernelsIntRangeOnly() {
    let big = errors("unchecked:\n  shrink_inodes_with_pagecache: 2147483648\n")
    #expect(
      big.first?.message == "2147483648 is above the kernel's maximum 2147483647 for shrink_inodes_with_pagecache")
    #expect(errors("unchecked:\n  shrink_inodes_with_pagecache: -2147483648\n").isEmpty)
    #expect(
      errors("unchecked:\n  shrink_inodes_with_pagecache: abc\n").first?.message == "expected an integer, got 'abc'")
    #expect(errors("unchecked:\n  shrink_inodes_with_pagecache: 010\n").first?.message.contains("octal") == true)
    let percent = errors("unchecked:\n  some_knob: { percent_of_ram: 1 }\n")
    #expect(percent.first?.message == "percent_of_ram needs a memory-sized knob; some_knob is not one")
  }

  @Test func cataloguedKnobsAndBadNamesAreRefused() {
    let known = errors("unchecked:\n  swappiness: 10\n")
    #expect(known.first?.key == "unchecked.swappiness")
    #expect(known.first?.message == "vmtune knows swappiness")
    #expect(known.first?.hint == "set it under 'sysctl:', where its range and history are checked")
    #expect(errors("unchecked:\n  drop_caches: 1\n").first?.message == "is a one-shot trigger, not a setting")
    #expect(errors("unchecked:\n  vm.foo_bar: 1\n").first?.hint == "use 'foo_bar'")
    #expect(errors("unchecked:\n  ../x: 1\n").first?.message == "is a path, not a vm sysctl name")
    #expect(errors("unchecked:\n  net.core.somaxconn: 1\n").first?.message == "is not a vm sysctl")
    #expect(errors("unchecked:\n  \"a b\": 1\n").first?.message == "is not a /proc/sys/vm file name")
    #expect(errors("unchecked: [a]\n").first?.message.hasPrefix("expected a mapping") == true)
  }

  @Test func anUnknownKeyUnderSysctlPointsAtUnchecked() {
    let e = errors("sysctl:\n  shrink_inodes_with_pagecache: 1\n")
    #expect(e.first?.message == "is not a vm sysctl vmtune knows")
    #expect(e.first?.hint?.contains("unchecked:") == true, "\(e.first?.hint ?? "")")
  }

  @Test func includesMergeUncheckedSettingsLikeOthers() throws {
    let reader = MemoryProfileReader([
      "p.yaml": "apiVersion: vmtune/v1\ninclude: [a]\nunchecked:\n  shrink_inodes_with_pagecache: 0\n",
      "a.yaml": "apiVersion: vmtune/v1\nunchecked:\n  shrink_inodes_with_pagecache: 1\n  other_knob: 3\n",
    ])
    let p = try ProfileLoader(reader: reader).load(path: "p.yaml")
    #expect(p.setting("shrink_inodes_with_pagecache")?.target == .exact(.int(0)))
    #expect(p.setting("other_knob")?.knob.isUnchecked == true)
  }

  @Test func savedFormsNameTheKnobAsUnchecked() throws {
    let p = try loadProfile("unchecked:\n  shrink_inodes_with_pagecache: 1\n")
    let data = try JSONEncoder().encode(p)
    #expect(String(decoding: data, as: UTF8.self).contains("\"unchecked:shrink_inodes_with_pagecache\""))
    let back = try JSONDecoder().decode(Profile.self, from: data)
    #expect(back.setting("shrink_inodes_with_pagecache")?.knob.isUnchecked == true)
    // A catalogued name marked unchecked, or a bad name, is refused when read back.
    for bad in ["unchecked:swappiness", "unchecked:../x", "shrink_inodes_with_pagecache"] {
      let edited = String(decoding: data, as: UTF8.self)
        .replacingOccurrences(of: "unchecked:shrink_inodes_with_pagecache", with: bad)
      #expect(throws: DecodingError.self) { try JSONDecoder().decode(Profile.self, from: Data(edited.utf8)) }
    }
  }

  @Test func theSchemaHasAnUncheckedSectionOfIntegers() throws {
    let data = try JSONEncoder().encode(ProfileSchema.document())
    let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    let unchecked = try #require((json?["properties"] as? [String: Any])?["unchecked"] as? [String: Any])
    #expect(unchecked["type"] as? String == "object")
    let names = try #require(unchecked["propertyNames"] as? [String: Any])
    #expect(names["pattern"] as? String == "^[A-Za-z0-9_-]+$")
    #expect((names["not"] as? [String: Any])?["enum"] as? [String] != nil, "catalogued names are refused")
  }

  static let python = Prerequisite.python3(
    modules: ["jsonschema", "yaml"], install: "apt-get install python3-jsonschema python3-yaml")

  /// An independent validator agrees: unchecked integers pass, catalogued names and non-integers do not.
  @Test(UncheckedKnobTests.python.trait)
  func pythonJsonschemaAcceptsUncheckedIntegersOnly() throws {
    guard Self.python.check() else { return }
    let script = """
      import json, sys, jsonschema, yaml
      v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
      docs = ["unchecked:\\n  shrink_inodes_with_pagecache: 1\\n",
              "unchecked:\\n  shrink_inodes_with_pagecache: { at_most: 5 }\\n",
              "unchecked:\\n  swappiness: 1\\n",
              "unchecked:\\n  shrink_inodes_with_pagecache: abc\\n",
              "unchecked:\\n  shrink_inodes_with_pagecache: 2147483648\\n",
              "unchecked:\\n  vm.x: 1\\n"]
      print(" ".join("ok" if v.is_valid(yaml.safe_load("apiVersion: vmtune/v1\\n" + d)) else "bad" for d in docs))
      """
    let run = try runProgram(
      "/usr/bin/env", ["python3", "-c", script, repositoryRoot() + "/schema/profile.schema.json"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok ok bad bad bad bad")
  }
}
