import VMTuneHost

/// libFuzzer's entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: start, count: count)
  if let v = try? VMStat.parse(String(decoding: bytes, as: UTF8.self)) { _ = v.sum(prefix: "allocstall") }
  return 0
}
