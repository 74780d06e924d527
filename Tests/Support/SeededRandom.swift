import Foundation

/// SplitMix64 (Steele, Lea and Flood 2014): a small, fast, seedable generator, so every random
/// test input can be reproduced from the seed the test prints and puts in its failure messages.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// The seed for a randomized test: `VMTUNE_TEST_SEED` when set (to reproduce or explore),
/// otherwise `fallback`, so ordinary runs are deterministic. Printed so a crash (which records
/// no issue) still leaves the seed in the log.
public func testSeed(_ fallback: UInt64, _ label: String = #function) -> UInt64 {
  let seed = ProcessInfo.processInfo.environment["VMTUNE_TEST_SEED"].flatMap { UInt64($0) } ?? fallback
  print("\(label): seed \(seed) (reproduce with VMTUNE_TEST_SEED=\(seed))")
  return seed
}

/// `count` random printable-ish byte strings (tab … `~`) of up to `maxLength` bytes, as the
/// parsers' garbage tests feed them.
public func randomGarbage(_ rng: inout SplitMix64, count: Int, maxLength: Int) -> [String] {
  (0..<count).map { _ in
    let bytes = (0..<Int.random(in: 0...maxLength, using: &rng)).map { _ in UInt8.random(in: 9...126, using: &rng) }
    return String(decoding: bytes, as: UTF8.self)
  }
}
