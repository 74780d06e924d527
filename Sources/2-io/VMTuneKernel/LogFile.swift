import SystemPackage
import VMTuneHost

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Reads a kernel log of any size: the file (or standard input) in chunks, inflated when it is
/// gzip, split into lines fed one by one to ``KernelLogScanner``. Nothing holds the file: memory is
/// a chunk, the line being cut across chunks, and what the scanner keeps.
public enum LogFile {
  /// Bytes read at a time.
  public static let chunkBytes = 1 << 20
  /// A line longer than this is read as pieces of this size (with the line's number): an endless
  /// line cannot grow memory.
  public static let maxLineBytes = 1 << 20

  /// Reads the log at `path` (`-`: standard input); the path as given, following links.
  public static func read(
    _ path: String, chunkBytes: Int = chunkBytes, maxLineBytes: Int = maxLineBytes
  ) throws(KernelError) -> KernelLog {
    let source = path == "-" ? "<stdin>" : path
    let fd: FileDescriptor
    if path == "-" {
      fd = .standardInput
    } else {
      do { fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec]) } catch {
        let e = HostFiles.code(error)
        if e == .noSuchFileOrDirectory { throw .noSuchFile(path: path) }
        throw .io(operation: "open", path: path, errno: e)
      }
    }
    defer { if path != "-" { try? fd.close() } }
    var lines = LineSplitter(scanner: KernelLogScanner(source: source), maxLineBytes: max(1, maxLineBytes))
    var chunk = [UInt8](repeating: 0, count: max(1, chunkBytes))
    func next() throws(KernelError) -> Int {
      do { return try chunk.withUnsafeMutableBytes { try fd.read(into: $0) } } catch {
        throw .io(operation: "read", path: source, errno: HostFiles.code(error))
      }
    }
    // The gzip magic (1f 8b) may take two reads (a pipe, 1-byte chunks).
    var head: [UInt8] = []
    var eof = false
    while head.count < 2 {
      let n = try next()
      if n == 0 {
        eof = true
        break
      }
      head += chunk[0..<n]
    }
    let gunzip = head.starts(with: [0x1F, 0x8B]) ? try Gunzip(path: source, outputBytes: max(64, chunkBytes)) : nil
    try feed(head[...], gunzip, &lines)
    while !eof {
      let n = try next()
      if n == 0 { break }
      try feed(chunk[0..<n], gunzip, &lines)
    }
    try gunzip?.finish()
    do { return try lines.finish() } catch { throw .malformed(error) }
  }

  /// Hands raw bytes to the line splitter, through zlib when the file is gzip.
  static func feed(_ bytes: ArraySlice<UInt8>, _ gunzip: Gunzip?, _ lines: inout LineSplitter) throws(KernelError) {
    try bytes.withUnsafeBufferPointer { raw throws(KernelError) in
      if let gunzip {
        try gunzip.push(raw) { text throws(KernelError) in
          do throws(ParseError) { try lines.push(text) } catch { throw .malformed(error) }
        }
      } else {
        do throws(ParseError) { try lines.push(raw) } catch { throw .malformed(error) }
      }
    }
  }
}

/// Cuts text arriving in arbitrary pieces into lines: lines inside a piece are fed in place; only
/// a line cut across pieces is copied, up to the line limit.
struct LineSplitter {
  var scanner: KernelLogScanner
  let maxLineBytes: Int
  /// The start of a line whose end has not arrived.
  private var carry: [UInt8] = []
  /// Whether `carry` continues a line already fed in part (a line longer than the limit).
  private var continuing = false

  init(scanner: KernelLogScanner, maxLineBytes: Int) {
    self.scanner = scanner
    self.maxLineBytes = maxLineBytes
  }

  mutating func push(_ text: UnsafeBufferPointer<UInt8>) throws(ParseError) {
    guard let base = text.baseAddress else { return }
    var start = 0
    while start < text.count {
      let rest = text.count - start
      guard let hit = memchr(base + start, 0x0A, rest) else {
        try hold(UnsafeBufferPointer(start: base + start, count: rest))
        return
      }
      let end = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
      let line = UnsafeBufferPointer(start: base + start, count: end - start)
      if carry.isEmpty && !continuing {
        if line.count > maxLineBytes {
          try hold(line)
          try flush()
        } else {
          try scanner.feed(line)
        }
      } else {
        try hold(line)
        try flush()
      }
      start = end + 1
    }
  }

  /// Keeps the start of a line, feeding pieces of the limit as they fill.
  private mutating func hold(_ bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) {
    var from = 0
    while from < bytes.count {
      let take = min(maxLineBytes - carry.count, bytes.count - from)
      carry.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<(from + take)]))
      from += take
      if carry.count == maxLineBytes {
        try feedCarry()
        continuing = true
      }
    }
  }

  private mutating func feedCarry() throws(ParseError) {
    var failure: ParseError?
    let piece = continuing
    carry.withUnsafeBufferPointer { b in
      do throws(ParseError) { try scanner.feed(b, continuing: piece) } catch { failure = error }
    }
    carry.removeAll(keepingCapacity: true)
    if let failure { throw failure }
  }

  /// Ends the line held.
  private mutating func flush() throws(ParseError) {
    if !carry.isEmpty || !continuing { try feedCarry() }
    continuing = false
  }

  mutating func finish() throws(ParseError) -> KernelLog {
    if !carry.isEmpty { try flush() }
    return try scanner.finish()
  }
}
