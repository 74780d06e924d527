import VMTuneHost

/// libFuzzer's entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: start, count: count)
  if let areas = try? BuddyInfo.parse(String(decoding: bytes, as: UTF8.self)) {
    for a in areas { _ = a.freePages }
  }
  return 0
}
