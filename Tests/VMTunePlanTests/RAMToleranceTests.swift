import Testing
import VMTuneHost
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

/// `percent_of_ram` targets on hosts whose MemTotal moves a little (a virtio balloon, memory
/// hot-plug): a live value within the tolerance of the resolved target is in sync, and every
/// output shows the number the percentage resolves to.
@Suite struct RAMToleranceTests {
  /// 1 % of 24684084 kB is 246840 kB; the default tolerance of 0.5 % of that is 1234.2 kB.
  func plan(live: String, memTotalKB: Int64 = 24_684_084, setting: String = "{ percent_of_ram: 1 }") throws
    -> PlanEntry
  {
    var values = FixtureHost.defaultValues
    values["min_free_kbytes"] = live
    let host = try FixtureHost(values: values, memTotalKB: memTotalKB)
    let p = Planner.plan(try profile("  min_free_kbytes: \(setting)\n"), on: try HostSnapshot.read(host.files))
    return try #require(p.entries.first)
  }

  @Test func aBalloonsSmallChangeIsNotDrift() throws {
    // Applied at 24684084 kB (246840), then the balloon took 400 kB: the target is now 246836.
    let e = try plan(live: "246840", memTotalKB: 24_683_684)
    #expect(e.action == .unchanged)
    #expect(e.target == "1% of RAM = 246836")
    #expect(e.note == "246840 is within 0.5% of 246836")
  }

  @Test func theDefaultToleranceIsHalfAPercentOfTheTarget() throws {
    #expect(try plan(live: "248074").action == .unchanged, "1234 over: within 1234.2")
    #expect(try plan(live: "245606").action == .unchanged, "1234 under")
    let over = try plan(live: "248075")
    #expect(over.action == .change)
    #expect(over.desired == .int(246_840))
    #expect(try plan(live: "245605").action == .change)
    let exact = try plan(live: "246840")
    #expect(exact.action == .unchanged)
    #expect(exact.note == nil)
  }

  @Test func aProfileSetsItsOwnTolerance() throws {
    let wide = "{ percent_of_ram: 1, tolerance: 2 }"
    #expect(try plan(live: "251776", setting: wide).action == .unchanged, "4936 over: within 4936.8")
    #expect(try plan(live: "251777", setting: wide).action == .change)
    let none = try plan(live: "246841", setting: "{ percent_of_ram: 1, tolerance: 0 }")
    #expect(none.action == .change)
    #expect(none.target == "1% of RAM, tolerance 0% = 246840")
  }

  @Test func aClampedTargetIsAnExactNumber() throws {
    // 1 % resolves to 246840, below the floor: the floor is not RAM-relative, so no tolerance.
    let e = try plan(live: "299999", setting: "{ percent_of_ram: 1, min: 300000 }")
    #expect(e.action == .change)
    #expect(e.target == "1% of RAM, min 300000 = 300000")
  }

  @Test func toleranceIsValidated() throws {
    #expect(throws: ProfileErrors.self) { try profile("  min_free_kbytes: { percent_of_ram: 1, tolerance: 101 }\n") }
    #expect(throws: ProfileErrors.self) { try profile("  swappiness: { at_most: 10, tolerance: 1 }\n") }
    do {
      _ = try profile("  swappiness: { at_most: 10, tolerance: 1 }\n")
    } catch {
      #expect("\(error)".contains("tolerance goes with percent_of_ram"), "\(error)")
    }
  }
}

/// A key vmtune manages is judged from its baseline; when the baseline already satisfies the
/// profile, the value in force must still become it (the live value an earlier profile left is
/// not the profile's).
@Suite struct ManagedBaselineTests {
  func entry(_ sysctl: String, live: String, baseline: Int64) throws -> PlanEntry {
    var values = FixtureHost.defaultValues
    values["watermark_scale_factor"] = live
    let host = try FixtureHost(values: values)
    let knob = try #require(KnobCatalog.knob("watermark_scale_factor"))
    let p = Planner.plan(
      try profile(sysctl), on: try HostSnapshot.read(host.files),
      managed: ManagedKeys(managed: [knob], baseline: [knob: .int(baseline)]))
    return try #require(p.entries.first { $0.key == "watermark_scale_factor" })
  }

  @Test func anExactTargetEqualToTheBaselineIsWrittenOverAnEarlierProfilesValue() throws {
    let e = try entry("  watermark_scale_factor: 10\n", live: "3000", baseline: 10)
    #expect(e.action == .change)
    #expect(e.desired == .int(10))
    #expect(!e.released)
  }

  @Test func aBoundTheBaselineSatisfiesGivesTheBaselineBack() throws {
    let e = try entry("  watermark_scale_factor: { at_most: 100 }\n", live: "3000", baseline: 10)
    #expect(e.action == .change)
    #expect(e.desired == .int(10))
    #expect(e.released)
  }
}
