import Foundation
import Testing
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile
import VMTuneTestSupport

@testable import VMTuneApply

/// Journals are replayed as root: a digest over the content is verified before use, rollback
/// checks what it would write against the catalog and the running kernel, and a corrupt
/// generation is named, listed and stepped around instead of stopping everything.
@Suite struct JournalIntegrityTests {
  let sysctl = "  min_free_kbytes: 90000\n  watermark_scale_factor: 200\n  swappiness: 10\n"

  func apply(_ host: FixtureHost, _ sysctl: String) throws -> ApplyReport {
    try Applier(files: host.files, store: KernelEmulatingStore(host.files)).apply(
      Planner.plan(try profile(sysctl), on: try HostSnapshot.read(host.files)))
  }

  func journalText(_ host: FixtureHost, _ generation: Int) throws -> String {
    try host.files.readText(JournalStore.relativePath(generation))
  }

  func writeJournal(_ host: FixtureHost, _ generation: Int, _ text: String) throws {
    try host.write(JournalStore.relativePath(generation), text)
  }

  /// The issue's hand edits: originals min_free_kbytes 3000000, swappiness 9999, an extra entry
  /// for nr_hugepages and one for the stat_refresh trigger.
  func handEdited(_ text: String) -> String {
    text.replacingOccurrences(of: "\"original\" : \"67584\"", with: "\"original\" : \"3000000\"")
      .replacingOccurrences(of: "\"original\" : \"60\"", with: "\"original\" : \"9999\"")
      .replacingOccurrences(
        of: "\"entries\" : [",
        with: "\"entries\" : [\n    {\n      \"key\" : \"nr_hugepages\",\n      \"original\" : \"5000\"\n    },\n"
          + "    {\n      \"key\" : \"stat_refresh\",\n      \"original\" : \"1\"\n    },")
  }

  @Test func journalsCarryADigestOfTheirContent() throws {
    let host = try FixtureHost()
    _ = try apply(host, sysctl)
    let text = try journalText(host, 1)
    #expect(text.contains("\"formatVersion\" : 2"))
    let digest = try #require(JournalDigest.digest(of: Array(text.utf8)))
    #expect(digest.count == 64)
    #expect(JournalDigest.verify(Array(text.utf8)) == nil)
    #expect(try JournalStore(files: host.files).load(1).state == .applied)
  }

  @Test func sha256MatchesTheStandardVectors() {
    #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
    #expect(SHA256.hex(Array(twoBlocks.utf8)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(
      SHA256.hex(Array(repeating: 0x61, count: 1_000_000))
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  /// Edited by hand, digest left as it was: refused before any write, the file named.
  @Test func aHandEditedJournalIsRefusedByItsDigest() throws {
    let host = try FixtureHost()
    _ = try apply(host, sysctl)
    let applied = host.allValues()
    try writeJournal(host, 1, handEdited(try journalText(host, 1)))
    let store = RecordingStore(host.files)
    do {
      _ = try Applier(files: host.files, store: store).rollback()
      Issue.record("rollback replayed a hand-edited journal")
    } catch {
      let text = "\(error)"
      #expect(text.contains(host.files.path(JournalStore.relativePath(1))), "\(text)")
      #expect(text.contains("digest"), "\(text)")
      #expect(text.contains("nothing was written"), "\(text)")
      #expect(!text.contains("DecodingError"), "\(text)")
    }
    #expect(store.writes.isEmpty)
    #expect(host.allValues() == applied)
  }

  /// Edited and resealed (a digest is no signature): rollback still checks what it would write
  /// — values within the running kernel's range, only keys the apply changed, never a trigger —
  /// and refuses the whole journal, naming it and every problem, writing nothing.
  @Test func aResealedEditIsRefusedByMeaning() throws {
    let host = try FixtureHost()
    _ = try apply(host, sysctl)
    let applied = host.allValues()
    let edited = try #require(JournalDigest.seal(Array(handEdited(try journalText(host, 1)).utf8)))
    try writeJournal(host, 1, String(decoding: edited, as: UTF8.self))
    let store = RecordingStore(host.files)
    do {
      _ = try Applier(files: host.files, store: store).rollback()
      Issue.record("rollback replayed an edited journal")
    } catch {
      let text = "\(error)"
      #expect(text.hasPrefix("refusing journal \(host.files.path(JournalStore.relativePath(1)))"), "\(text)")
      #expect(text.contains("nothing was written"), "\(text)")
      #expect(text.contains("swappiness: original 9999 is above the kernel's maximum 200"), "\(text)")
      #expect(text.contains("nr_hugepages: the apply did not change it"), "\(text)")
      #expect(text.contains("stat_refresh: a write-only trigger"), "\(text)")
    }
    #expect(store.writes.isEmpty)
    #expect(host.allValues() == applied)
  }

  /// A value that is not a number of the knob's type: named with the entry, not a DecodingError.
  @Test func aValueOfTheWrongShapeIsNamed() throws {
    let host = try FixtureHost()
    _ = try apply(host, sysctl)
    let text = try journalText(host, 1).replacingOccurrences(
      of: "\"original\" : \"10\"", with: "\"original\" : \"10; echo pwned\"")
    try writeJournal(host, 1, String(decoding: try #require(JournalDigest.seal(Array(text.utf8))), as: UTF8.self))
    let store = RecordingStore(host.files)
    do {
      _ = try Applier(files: host.files, store: store).rollback()
      Issue.record("rollback replayed an edited journal")
    } catch {
      let text = "\(error)"
      #expect(text.contains(host.files.path(JournalStore.relativePath(1))), "\(text)")
      #expect(text.contains("'10; echo pwned' is not a valid int value for watermark_scale_factor"), "\(text)")
      #expect(!text.contains("DecodingError"), "\(text)")
    }
    #expect(store.writes.isEmpty)
  }

  /// 2000 random bytes in an old generation: listed as corrupt with a readable reason; apply
  /// skips it (and says so) and keeps working; rollback of newer generations works; rolling
  /// back through it is refused, naming it.
  @Test func aCorruptGenerationIsListedAndSkipped() throws {
    let host = try FixtureHost()
    _ = try apply(host, "  swappiness: 10\n")
    _ = try apply(host, "  watermark_scale_factor: 200\n")
    var random = SplitMix64(seed: 7)
    let garbage = Data((0..<2000).map { _ in UInt8.random(in: 0...255, using: &random) })
    try garbage.write(to: URL(fileURLWithPath: host.files.path(JournalStore.relativePath(1))))
    let scan = JournalStore(files: host.files).scan()
    #expect(scan.journals.map(\.generation) == [2])
    let corrupt = try #require(scan.corrupt.first)
    #expect(corrupt.generation == 1)
    #expect(corrupt.path == host.files.path(JournalStore.relativePath(1)))
    #expect(!corrupt.reason.contains("DecodingError"), "\(corrupt.reason)")

    let report = try apply(host, "  max_map_count: 262144\n")
    #expect(report.generation == 3)
    #expect(report.skipped.map(\.generation) == [1])
    let applier = Applier(files: host.files, store: KernelEmulatingStore(host.files))
    #expect(try applier.rollback().generations == [3])
    #expect(try applier.rollback(to: 2).generations == [2])
    #expect(host.value("watermark_scale_factor") == "10")
    do {
      _ = try applier.rollback(to: 1)
      Issue.record("rolled back through a corrupt generation")
    } catch {
      #expect("\(error)".contains(corrupt.path), "\(error)")
      #expect("\(error)".contains("nothing was written"), "\(error)")
    }
    #expect(host.value("swappiness") == "10")
  }

  /// A crashed apply's journal that asks for a value the kernel refuses is not replayed by
  /// recovery: the apply stops, naming it, before any write.
  @Test func recoveryChecksTheJournalItReplays() throws {
    let host = try FixtureHost()
    try JournalStore(files: host.files).save(
      Journal(
        generation: 1, createdAt: 0, profile: "t", files: [], kernelRelease: nil, state: .inProgress,
        entries: [.init(knob: try knob("swappiness"), original: .int(9999), desired: .int(10))]))
    let store = RecordingStore(host.files)
    #expect(throws: ApplyError.self) {
      try Applier(files: host.files, store: store).apply(
        Planner.plan(try profile("  max_map_count: 262144\n"), on: try HostSnapshot.read(host.files)))
    }
    #expect(store.writes.isEmpty)
  }
}
