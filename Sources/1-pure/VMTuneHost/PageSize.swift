/// The host's page size, and where vmtune learned it. Watermarks, buddy orders and every
/// pages-to-bytes conversion depend on it: 4 KiB on x86, 16 or 64 KiB on many arm64 and ppc64le
/// hosts (docs/KERNEL.md, Page size and orders).
public struct PageSize: Sendable, Hashable, Codable, CustomStringConvertible {
  public enum Source: String, Sendable, Hashable, Codable {
    /// The running host told us (`sysconf(_SC_PAGESIZE)`).
    case host
    /// MemTotal divided by the zones' managed pages (the kernel keeps them equal).
    case zoneinfo
    /// buddyinfo's number of orders (11 with 4 KiB pages, 14 with 64 KiB on arm64).
    case buddyinfo
    /// The smallest block a kernel log's buddy line lists (order 0).
    case log
    /// Nothing said otherwise: 4 KiB.
    case assumed
  }

  public var bytes: UInt64
  public var source: Source

  public init(bytes: UInt64, source: Source) {
    self.bytes = bytes
    self.source = source
  }

  /// 4 KiB, when nothing tells otherwise.
  public static let assumed = PageSize(bytes: 4096, source: .assumed)

  /// Page sizes Linux builds with.
  static let known: [UInt64] = [4096, 8192, 16384, 32768, 65536, 262_144]

  /// kB per page.
  public var kb: UInt64 { bytes >> 10 }
  /// PAGE_SHIFT.
  public var shift: Int { bytes.trailingZeroBitCount }
  /// Bytes in a block of `order`.
  public func blockBytes(order: Int) -> Int64 { Int64(bytes) << Int64(order) }
  /// kB in `pages` pages (saturating).
  public func kilobytes(_ pages: UInt64) -> Int64 { Int64(clamping: Int128(pages) * Int128(kb)) }

  public var description: String {
    let size = bytes >= 1024 ? "\(bytes >> 10) KiB" : "\(bytes) B"
    return source == .assumed ? "\(size) (assumed)" : size
  }

  /// The known page size within `slackPermille` of `kb × 1024 / pages`, or nil.
  static func nearest(kb: UInt64, pages: UInt64, slackPermille: UInt64) -> UInt64? {
    guard pages > 0, kb > 0 else { return nil }
    let bytes = Int128(kb) * 1024
    return known.first { size in
      let diff = bytes - Int128(size) * Int128(pages)
      return (diff < 0 ? -diff : diff) * 1000 <= Int128(size) * Int128(pages) * Int128(slackPermille)
    }
  }

  /// The page size a /proc tree shows: MemTotal over the zones' managed pages (the kernel keeps
  /// them equal, so only a near-exact ratio counts; `present` on kernels without `managed` is a few
  /// percent more), else buddyinfo's column count where it names one size (11 orders: 4 KiB,
  /// 12: 16 KiB, 14: 64 KiB), else 4 KiB assumed.
  public static func infer(memInfo: MemInfo, zoneInfo: ZoneInfo?, buddyInfo: [FreeAreas]?) -> PageSize {
    if let total = memInfo.memTotalKB, let zones = zoneInfo?.zones, total > 0 {
      let managed = zones.reduce(UInt64(0)) { $0.addingReportingOverflow($1.managedPages).partialValue }
      let slack: UInt64 = zones.contains { $0.managed != nil } ? 5 : 60
      if let b = nearest(kb: UInt64(total), pages: managed, slackPermille: slack) {
        return PageSize(bytes: b, source: .zoneinfo)
      }
    }
    let columns = buddyInfo?.map(\.counts.count).max()
    if let b = columns.flatMap({ [11: UInt64(4096), 12: 16384, 14: 65536][$0] }) {
      return PageSize(bytes: b, source: .buddyinfo)
    }
    return .assumed
  }
}

/// The page facts every pages-to-bytes conversion and order range depends on.
public struct PageGeometry: Sendable, Hashable, Codable {
  public var pageSize: PageSize
  /// Buddy orders 0 ..< orderCount (MAX_ORDER).
  public var orderCount: Int
  /// The order of a transparent huge page (COMPACTION_HPAGE_ORDER, pageblock_order).
  public var hugePageOrder: Int

  public init(pageSize: PageSize, orderCount: Int, hugePageOrder: Int) {
    self.pageSize = pageSize
    self.orderCount = orderCount
    self.hugePageOrder = hugePageOrder
  }

  /// x86-64: 4 KiB pages, orders 0 … 10, 2 MiB huge pages.
  public static let x86 = PageGeometry(pageSize: .assumed, orderCount: 11, hugePageOrder: 9)

  /// Bytes in a block of `order`.
  public func blockBytes(order: Int) -> Int64 { pageSize.blockBytes(order: order) }

  /// The order of a `bytes`-sized block (0 when a page is already that big).
  public func order(ofBytes bytes: UInt64) -> Int {
    bytes <= pageSize.bytes ? 0 : (bytes / pageSize.bytes).trailingZeroBitCount
  }

  /// Whether buddyinfo has a column for `order`.
  public func has(order: Int) -> Bool { (0..<orderCount).contains(order) }
}

extension HostSnapshot {
  /// Page size, orders and huge page order of this host.
  public var pages: PageGeometry {
    PageGeometry(pageSize: pageSize, orderCount: orderCount, hugePageOrder: hugePageOrder)
  }
}
