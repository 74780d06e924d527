import CZlib

/// A gzip stream inflated through the system zlib as its compressed bytes arrive: rotated kernel
/// logs (`kern.log.2.gz`, `messages-20240101.gz`). Several gzip members one after another (what
/// `cat a.gz b.gz` makes) inflate to their texts one after another.
final class Gunzip {
  private var stream = z_stream()
  private var output: [UInt8]
  private var ended = true
  let path: String

  /// Whether `bytes` start with the gzip magic (1f 8b).
  static func isGzip(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
  }

  init(path: String, outputBytes: Int) throws(KernelError) {
    self.path = path
    output = [UInt8](repeating: 0, count: max(outputBytes, 64))
    guard vmtune_inflate_init(&stream) == Z_OK else { throw .corrupt(path: path, reason: "zlib would not start") }
    ended = false
  }

  deinit { inflateEnd(&stream) }

  /// Inflates `input`, handing each piece of text to `body`.
  func push(
    _ input: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws(KernelError) -> Void
  ) throws(KernelError) {
    guard let base = input.baseAddress, !input.isEmpty else { return }
    stream.next_in = UnsafeMutablePointer(mutating: base)
    stream.avail_in = UInt32(input.count)
    while stream.avail_in > 0 {
      if ended {
        // Another member follows the one that ended.
        guard inflateReset(&stream) == Z_OK else { throw .corrupt(path: path, reason: "zlib would not restart") }
        ended = false
      }
      let (status, produced) = output.withUnsafeMutableBufferPointer { out in
        stream.next_out = out.baseAddress
        stream.avail_out = UInt32(out.count)
        let status = inflate(&stream, Z_NO_FLUSH)
        return (status, out.count - Int(stream.avail_out))
      }
      switch status {
      case Z_OK, Z_BUF_ERROR: break
      case Z_STREAM_END: ended = true
      default:
        let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
        throw .corrupt(path: path, reason: "not a valid gzip stream (\(message))")
      }
      if produced > 0 {
        try output.withUnsafeBufferPointer { out throws(KernelError) in
          try body(UnsafeBufferPointer(rebasing: out[0..<produced]))
        }
      } else if status == Z_BUF_ERROR {
        break
      }
    }
    // Output may still be buffered inside zlib with all input consumed.
    while !ended {
      let (status, produced) = output.withUnsafeMutableBufferPointer { out in
        stream.next_out = out.baseAddress
        stream.avail_out = UInt32(out.count)
        let status = inflate(&stream, Z_NO_FLUSH)
        return (status, out.count - Int(stream.avail_out))
      }
      if status == Z_STREAM_END { ended = true }
      if status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR {
        throw .corrupt(path: path, reason: "not a valid gzip stream")
      }
      if produced > 0 {
        try output.withUnsafeBufferPointer { out throws(KernelError) in
          try body(UnsafeBufferPointer(rebasing: out[0..<produced]))
        }
      }
      if produced == 0 { break }
    }
  }

  /// After the last input: a stream cut inside a member is an error.
  func finish() throws(KernelError) {
    if !ended { throw .corrupt(path: path, reason: "the gzip stream ends early") }
  }
}
