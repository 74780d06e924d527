import Foundation
import Testing
import VMTuneHost
import VMTuneTestSupport

/// One odd line must not refuse a whole host: values the kernel prints unsigned are read as u64,
/// and a line that still cannot be read is skipped with a warning naming file:line.
@Suite struct TolerantParsingTests {
  @Test func anUnderflowPrintedAsUnsignedIsAValue() throws {
    // 2.6.29 printed DirectMap2M's underflow as an unsigned long, without a unit.
    let m = try MemInfo.parse("MemTotal:        3987664 kB\nDirectMap2M: 18446744073709551613\n")
    #expect(m.values["DirectMap2M"] == 18_446_744_073_709_551_613)
    #expect(m.memTotalKB == 3_987_664)
    #expect(m.skipped.isEmpty)
  }

  @Test func unreadableMeminfoLinesAreSkippedWithTheirLine() throws {
    let m = try MemInfo.parse("MemTotal: 1000 kB\nBogus: twelve kB\nno colon here\nMemFree: 10 kB\n", source: "M")
    #expect(m.memTotalKB == 1000)
    #expect(m.values["MemFree"] == 10)
    #expect(
      m.skipped.map(\.description) == [
        "M:2: 'Bogus' has no valid number: 'Bogus: twelve kB'",
        "M:3: expected 'Key: value', got 'no colon here'",
      ])
  }

  @Test func unreadableVmstatLinesAreSkippedWithTheirLine() throws {
    let v = try VMStat.parse("pgfault 12\nnr_weird x\nthree fields here\npgscan_kswapd 7\n", source: "V")
    #expect(v.counters == ["pgfault": 12, "pgscan_kswapd": 7])
    #expect(v.skipped.map(\.line) == [2, 3])
  }

  @Test func anUnreadableZoneCounterIsSkippedButAWatermarkIsNot() throws {
    let zone = """
      Node 0, zone   Normal
        pages free     1000
              min      10
              low      12
              high     15
              spanned  4096
              present  4096
              managed  4000
          nr_free_pages 1000
          nr_weird_counter 12x
      """
    let info = try ZoneInfo.parse(zone, source: "Z")
    #expect(info.zones.first?.free == 1000)
    #expect(info.skipped.map(\.description) == ["Z:10: nr_weird_counter: '12x' is not a number"])
    #expect(throws: ParseError.self) { try ZoneInfo.parse(zone.replacingOccurrences(of: "min      10", with: "min x")) }
  }

  @Test func theSnapshotCollectsWhatWasSkipped() throws {
    let host = try FixtureHost()
    try host.write("proc/meminfo", "MemTotal: 24684084 kB\nDirectMap2M: 18446744073709551613\nOdd: ? kB\n")
    let s = try HostSnapshot.read(host.files)
    #expect(s.memInfo.memTotalKB == 24_684_084)
    #expect(s.parseWarnings.count == 1)
    #expect(s.parseWarnings.first?.hasSuffix("/proc/meminfo:3: 'Odd' has no valid number: 'Odd: ? kB'") == true)
  }
}
