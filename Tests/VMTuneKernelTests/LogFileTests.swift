import Foundation
import SystemPackage
import Testing
import VMTuneHost
import VMTuneTestSupport

@testable import VMTuneKernel

/// Kernel logs are read in chunks and fed line by line to the pure scanner: any size with flat
/// memory, gzip through the system zlib.
@Suite struct LogFileTests {
  /// The journal capture whose buddy lines journald stored one printk fragment per line.
  static let plain = fixturePath("logs/journal-split-meminfo.log")

  @Test func aLogReadInChunksReadsLikeTheWholeText() throws {
    let whole = try KernelLog.parse(try fixtureText("logs/journal-split-meminfo.log"), source: Self.plain)
    #expect(whole.allocationFailures.map(\.order) == [3])
    #expect(whole.reports.first?.buddyLines.map { "\($0.node ?? -1) \($0.zone)" } == ["0 DMA", "0 Normal", "1 Normal"])
    #expect(whole.reports.first?.buddyLines.map(\.totalKB) == [15904, 420_300, 765_592])
    #expect(whole.reports.first?.host == "store-12")
    // Chunks of 7 bytes cut every line somewhere; 4096 holds the whole file.
    for chunk in [1, 7, 64, 4096] {
      #expect(try LogFile.read(Self.plain, chunkBytes: chunk) == whole, "chunks of \(chunk) bytes")
    }
  }

  /// Rotated logs (`kern.log.2.gz`) are read through zlib, whatever their name: by the gzip magic.
  /// The fixture is two gzip members, as `cat a.gz b.gz` makes.
  @Test func gzippedLogsReadLikeThePlainFile() throws {
    let whole = try LogFile.read(Self.plain)
    let gz = try LogFile.read(fixturePath("logs/journal-split-meminfo.log.gz"))
    #expect(gz.allocationFailures == whole.allocationFailures && gz.reports == whole.reports)
    #expect(gz.allocationFailures.count == 1)
    for chunk in [1, 13, 300] {
      #expect(try LogFile.read(fixturePath("logs/journal-split-meminfo.log.gz"), chunkBytes: chunk) == gz)
    }
  }

  @Test func aCorruptOrCutGzipFileIsAnError() throws {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: fixturePath("logs/journal-split-meminfo.log.gz")))
    let dir = FileManager.default.temporaryDirectory.path + "/vmtune-log-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try bytes.prefix(200).write(to: URL(fileURLWithPath: dir + "/cut.gz"))
    #expect(throws: KernelError.corrupt(path: dir + "/cut.gz", reason: "the gzip stream ends early")) {
      try LogFile.read(dir + "/cut.gz")
    }
    var garbled = bytes
    for i in 20..<60 { garbled[i] ^= 0x5A }
    try garbled.write(to: URL(fileURLWithPath: dir + "/garbled.gz"))
    #expect(throws: KernelError.self) { try LogFile.read(dir + "/garbled.gz") }
  }

  /// A missing log is "no such file", not the kernel's "this kernel does not have it".
  @Test func aMissingLogIsNoSuchFile() {
    #expect(throws: KernelError.noSuchFile(path: "/nonexistent/kern.log")) {
      try LogFile.read("/nonexistent/kern.log")
    }
    #expect(KernelError.noSuchFile(path: "/x/kern.log").description == "no such file /x/kern.log")
  }

  /// A line longer than the limit is read as pieces of the limit, so one endless line cannot grow
  /// memory; records up to the limit are whole.
  @Test func linesLongerThanTheLimitAreReadInPieces() throws {
    let dir = FileManager.default.temporaryDirectory.path + "/vmtune-log-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let failure = "[ 1.000000] nginx: page allocation failure: order:2, mode:0x820(GFP_ATOMIC)"
    let text = String(repeating: "x", count: 5000) + "\n" + failure + "\n"
    try text.write(toFile: dir + "/long.log", atomically: true, encoding: .utf8)
    let log = try LogFile.read(dir + "/long.log", chunkBytes: 100, maxLineBytes: 1000)
    #expect(log.allocationFailures.map(\.order) == [2])
    #expect(log.allocationFailures.first?.line == 2, "the pieces of a long line keep its number")
  }
}
