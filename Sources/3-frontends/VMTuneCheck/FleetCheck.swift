import Dispatch
import FoundationEssentials
import Synchronization
import VMTuneFrontend
import VMTuneHost
import VMTuneKernel
import VMTunePlan
import VMTuneProfile

/// `vmtune check PROFILE --snapshot DIR`: every `*.json` snapshot in DIR checked against one
/// profile, decoded and planned on all cores.
public enum FleetCheck {
  /// Checks every snapshot in `directory`; one entry per `*.json` file, in name order. No
  /// snapshot at all is a failed check.
  public static func check(_ profile: Profile, directory: String, timestamp: Int64) -> CheckResults {
    let names = HostFiles.plain.list(directory).filter { $0.hasSuffix(".json") }.sorted()
    var results = CheckResults(
      profile: profile.name, timestamp: timestamp, fleet: true,
      entries: check(profile, directory: directory, names: names, timestamp: timestamp))
    if names.isEmpty { results.failure = "no *.json snapshots in \(directory)" }
    return results
  }

  /// Decodes and plans every snapshot on all cores; entries in the order of `names`.
  static func check(
    _ profile: Profile, directory: String, names: [String], timestamp: Int64
  ) -> [CheckResults.Entry] {
    let results = Mutex<[Int: CheckResults.Entry]>([:])
    let decoder = JSONDecoder()
    decoder.userInfo[DriftFields.keysInfo] = DriftFields.keys(of: profile)
    DispatchQueue.concurrentPerform(iterations: names.count) { i in
      let path = ProfilePath.join(directory, names[i])
      let entry: CheckResults.Entry
      do {
        var snap = try decoder.decode(DriftFields.self, from: Data(try HostFiles.plain.read(path))).snapshot
        if snap.hostname == nil { snap.hostname = ProfilePath.stem(names[i].replacingJSON()) }
        entry = .checked(CheckReport(plan: Planner.plan(profile, on: snap), timestamp: timestamp, snapshot: names[i]))
      } catch {
        entry = .unreadable(.init(snapshot: names[i], path: path, error: describe(error)))
      }
      results.withLock { $0[i] = entry }
    }
    let byIndex = results.withLock { $0 }
    return names.indices.compactMap { byIndex[$0] }
  }

  /// Why a snapshot could not be used, in words (not the decoder's debug description).
  static func describe(_ error: any Error) -> String {
    func dotted(_ path: [any CodingKey]) -> String {
      path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    func at(_ c: DecodingError.Context) -> String {
      (c.codingPath.isEmpty ? "" : dotted(c.codingPath) + ": ") + c.debugDescription
    }
    switch error {
    case DecodingError.dataCorrupted(let c) where c.codingPath.isEmpty: return "not valid JSON"
    case DecodingError.keyNotFound(let key, let c): return "not a vmtune snapshot: no \(dotted(c.codingPath + [key]))"
    case DecodingError.dataCorrupted(let c), DecodingError.typeMismatch(_, let c),
      DecodingError.valueNotFound(_, let c):
      return at(c)
    case let e as VMTuneError: return e.message
    case let e as KernelError: return e.description
    default: return "\(error)"
    }
  }
}

/// The parts of a snapshot a drift check reads: the profile's keys (and their exclusive
/// partners) of `values`/`unreadable`, MemTotal, kernel, NUMA and CPUs. Decoding only these (the
/// keys come through `userInfo`) skips the zone and buddy tables and most dictionaries, which
/// were most of the time spent per host.
struct DriftFields: Decodable {
  static let keysInfo = CodingUserInfoKey(rawValue: "vmtune.keys")!

  struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  enum Keys: String, CodingKey {
    case formatVersion, hostname, kernelRelease, values, unreadable, memInfo, numaNodes, cpus
  }

  var formatVersion: Int
  var snapshot: HostSnapshot

  init(from decoder: any Decoder) throws {
    let wanted = decoder.userInfo[Self.keysInfo] as? [String] ?? []
    let c = try decoder.container(keyedBy: Keys.self)
    formatVersion = try c.decode(Int.self, forKey: .formatVersion)
    guard formatVersion == HostSnapshot.formatVersion else {
      throw VMTuneError.other(
        "snapshot format \(formatVersion); this vmtune reads \(HostSnapshot.formatVersion)",
        hint: "take it again with this vmtune's 'vmtune snapshot'")
    }
    func pick(_ key: Keys) throws -> [String: String] {
      guard c.contains(key) else { return [:] }
      let inner = try c.nestedContainer(keyedBy: AnyKey.self, forKey: key)
      var out: [String: String] = [:]
      for k in wanted {
        if let v = try inner.decodeIfPresent(String.self, forKey: AnyKey(k)) { out[k] = v }
      }
      return out
    }
    let mem = try c.nestedContainer(keyedBy: AnyKey.self, forKey: .memInfo)
      .nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("values"))
    var memInfo = MemInfo(values: [:])
    memInfo.values["MemTotal"] = try mem.decodeIfPresent(UInt64.self, forKey: AnyKey("MemTotal"))
    snapshot = HostSnapshot(
      hostname: try c.decodeIfPresent(String.self, forKey: .hostname),
      kernelRelease: try c.decodeIfPresent(String.self, forKey: .kernelRelease),
      values: try pick(.values), unreadable: try pick(.unreadable), memInfo: memInfo,
      numaNodes: try c.decode(Int.self, forKey: .numaNodes), cpus: try c.decode(Int.self, forKey: .cpus))
    snapshot.formatVersion = formatVersion
  }

  /// The keys a drift check of `profile` reads.
  static func keys(of profile: Profile) -> [String] {
    var keys = Set(profile.settings.map(\.key))
    for s in profile.settings { if let p = s.knob.exclusiveWith { keys.insert(p) } }
    return keys.sorted()
  }
}

extension String {
  fileprivate func replacingJSON() -> String { hasSuffix(".json") ? String(dropLast(5)) : self }
}
