import Foundation
import Testing
import VMTuneTestSupport

/// Every command on a 64 KiB-page arm64 host: sizes, orders and watermarks in its own pages.
@Suite struct PageSizeCLITests {
  @Test func diagnoseCountsSixtyFourKiBPages() throws {
    let host = try FixtureHost.arm64With64KiBPages()
    let r = try runVMTune(["diagnose", "--root", host.root, "--no-color"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("pages 64 KiB (from zoneinfo), buddy orders 0 … 13, huge page order 13"), "\(r.stdout)")
    #expect(r.stdout.contains("free 2043823 pages (124.7 GiB)"), "\(r.stdout)")
    let json = try runVMTune(["diagnose", "--root", host.root, "--format", "json"])
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    // 64 KiB blocks are order 0 here: the orders of interest are the 512 MiB huge page only.
    #expect(obj["ordersOfInterest"] as? [Int] == [13])
    #expect((obj["pages"] as? [String: Any])?["orderCount"] as? Int == 14)
    #expect(try runVMTune(["diagnose", "--root", host.root, "--order", "13"]).status == 0)
  }

  /// pages_min = min_free_kbytes >> (PAGE_SHIFT - 10): 131072 kB is 2048 pages, DMA's share
  /// 2048 × 16384 / 2063384 = 16, Normal's 2031; the scale factor 10 gives DMA 16 and Normal
  /// 2047 pages between the watermarks.
  @Test func watermarksUseThePageShift() throws {
    let host = try FixtureHost.arm64With64KiBPages()
    let r = try runVMTune(["watermarks", "--root", host.root, "--min-free-kbytes", "131072", "--format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
    let predicted = rows.compactMap { $0["predicted"] as? [String: Any] }
    #expect(
      predicted.map { [$0["min"], $0["low"], $0["high"]].compactMap { $0 as? Int } } == [
        [16, 32, 48], [2031, 4078, 6125],
      ])
    let text = try runVMTune(["watermarks", "--root", host.root])
    #expect(text.stdout.contains("page size 64 KiB"), "\(text.stdout)")
  }

  /// A condition at order 13 (512 MiB) holds here; on a 4 KiB host the order does not exist.
  @Test func actionConditionsAtOrdersOnlyLargePagesHave() throws {
    let host = try FixtureHost.arm64With64KiBPages()
    let p = try writeProfile(
      host, "actions:\n  compact: { when: { order: 13, free_below: 200 GiB }, min_interval: 30s }\n")
    let plan = try runVMTune(["plan", p, "--root", host.root, "--no-color"])
    #expect(plan.stdout.contains("would run now: node 0 Normal: "), "\(plan.stdout)")
    #expect(plan.stdout.contains("(512 MiB blocks)"), "\(plan.stdout)")
    let small = try FixtureHost()
    try small.write("proc/buddyinfo", "Node 0, zone Normal 1010 1093 1105 779 454 329 312 249 182 179 433\n")
    let q = try writeProfile(
      small, "actions:\n  compact: { when: { order: 13, free_below: 200 GiB }, min_interval: 30s }\n")
    let never = try runVMTune(["plan", q, "--root", small.root, "--no-color"])
    #expect(
      never.stdout.contains("never on this host: it has no order 13 (buddy orders 0 … 10 with 4 KiB pages)"),
      "\(never.stdout)")
  }
}

/// A 2.6.29 meminfo with an underflow printed unsigned, and a line nothing can read: every command
/// that reads the host still works, and says which line it skipped.
@Suite struct OddProcLineTests {
  @Test func snapshotDiagnoseAndWatermarksReadAHostWithOddLines() throws {
    let host = try fourGiBHostBeforeRunawayReserve()
    try host.write(
      "proc/meminfo", "MemTotal:        4024116 kB\nMemFree: 3000000 kB\nDirectMap2M: 18446744073709551613\nOdd: ? kB\n"
    )
    for args in [
      ["snapshot"], ["diagnose"], ["watermarks"], ["plan", try writeProfile(host, "sysctl:\n  swappiness: 10\n")],
    ] {
      let r = try runVMTune(args + ["--root", host.root])
      #expect(r.status == 0 || (args[0] == "plan" && r.status == 2), "\(args): \(r.stderr)")
      #expect(
        r.stderr.contains("warning: \(host.root)/proc/meminfo:4: 'Odd' has no valid number"), "\(args): \(r.stderr)")
    }
  }
}
