// A coverage-blind mutation fuzzer (libFuzzer's -sanitize=fuzzer does not combine with SwiftPM
// executables here): seeds from the repository (profiles, Tests/Fixtures/logs, /proc samples), then
// bit flips, byte edits, chunk duplication, splicing and dictionary tokens. Every input must
// either parse or throw the parser's error type; a trap or crash kills the process, and the
// input that caused it is in FUZZ_OUT/last-input.
//
// usage: vmtune-fuzz TARGET SECONDS [SEED_FILE…]
//   TARGET: profile | zoneinfo | buddyinfo | meminfo | vmstat | kernellog
import VMTuneHost
import VMTuneKernel
import VMTuneProfile

#if canImport(Glibc)
  import Glibc
#endif

struct Rng {
  var state: UInt64
  mutating func next() -> UInt64 {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    return state
  }
  mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
}

let args = CommandLine.arguments
guard args.count >= 3, let seconds = Double(args[2]) else {
  print("usage: vmtune-fuzz profile|zoneinfo|buddyinfo|meminfo|vmstat|kernellog SECONDS [SEED_FILE…]")
  exit(64)
}
let target = args[1]
let outDir = String(cString: getenv("FUZZ_OUT") ?? strdup("fuzz-out"))
mkdir(outDir, 0o755)

func parse(_ bytes: [UInt8]) {
  let text = String(decoding: bytes, as: UTF8.self)
  switch target {
  case "profile":
    _ = try? ProfileLoader(reader: MemoryProfileReader(["p.yaml": text, "base.yaml": "apiVersion: vmtune/v1\n"])).load(
      path: "p.yaml")
    _ = try? YAMLParser.parse(bytes)
  case "zoneinfo": _ = try? ZoneInfo.parse(text)
  case "buddyinfo": _ = try? BuddyInfo.parse(text)
  case "meminfo": _ = try? MemInfo.parse(text)
  case "vmstat": _ = try? VMStat.parse(text)
  case "kernellog": _ = try? KernelLog.parse(text)
  default:
    print("unknown target \(target)")
    exit(64)
  }
}

var corpus: [[UInt8]] = []
for path in args.dropFirst(3) {
  if let bytes = try? HostFiles.plain.read(path, limit: 1 << 20) { corpus.append(bytes) }
}
if corpus.isEmpty { corpus = [Array("apiVersion: vmtune/v1\n".utf8)] }
let tokens: [[UInt8]] = [
  "Node 0, zone Normal", "pages free", "protection: (", ")", "*4kB", "= ", ": page allocation failure. order:",
  ", mode:0x", "(GFP_ATOMIC)", "sysctl:\n  ", "include: [", "when: {", "&a", "*a", "!tag", "---", "\t", "\0",
  "\u{FFFF}",
  "99999999999999999999999", "-1", "010", "0x10", "{", "}", "[", "]", ": ", "\n", "kB", "min", "low", "high",
].map { Array($0.utf8) }

var rng = Rng(state: 0x9E37_79B9_7F4A_7C15 ^ UInt64(time(nil)))
var execs = 0
let start = Double(clock()) / Double(CLOCKS_PER_SEC)
var now = start
while now - start < seconds {
  var input = corpus[rng.below(corpus.count)]
  for _ in 0...rng.below(8) {
    switch rng.below(7) {
    case 0 where !input.isEmpty:  // bit flip
      let i = rng.below(input.count)
      input[i] ^= UInt8(1 << rng.below(8))
    case 1 where !input.isEmpty:  // delete a run
      let i = rng.below(input.count)
      input.removeSubrange(i..<min(input.count, i + 1 + rng.below(16)))
    case 2:  // insert a token
      input.insert(contentsOf: tokens[rng.below(tokens.count)], at: rng.below(input.count + 1))
    case 3 where !input.isEmpty:  // duplicate a chunk
      let i = rng.below(input.count)
      let chunk = input[i..<min(input.count, i + 1 + rng.below(64))]
      input.insert(contentsOf: chunk, at: rng.below(input.count + 1))
    case 4:  // splice with another seed
      let other = corpus[rng.below(corpus.count)]
      let cut = rng.below(other.count + 1)
      input = Array(input.prefix(rng.below(input.count + 1))) + other[cut...]
    case 5 where !input.isEmpty:  // random byte
      input[rng.below(input.count)] = UInt8(truncatingIfNeeded: rng.next())
    default:  // digits → huge number
      input.insert(contentsOf: Array(String(rng.next()).utf8), at: rng.below(input.count + 1))
    }
  }
  if input.count > 200_000 { input = Array(input.prefix(200_000)) }
  // Keep the input on disk so a crash leaves its reproducer behind.
  let fd = open("\(outDir)/last-input", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  if fd >= 0 {
    _ = input.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
  }
  parse(input)
  execs += 1
  if execs % 256 == 0, corpus.count < 512, rng.below(4) == 0 { corpus.append(input) }
  if execs % 64 == 0 { now = Double(clock()) / Double(CLOCKS_PER_SEC) }
}
print(
  "fuzz \(target): \(execs) execs in \(Int(now - start)) s CPU (\(Int(Double(execs) / max(now - start, 0.001))) "
    + "execs/s), 0 crashes, corpus \(corpus.count)"
)
