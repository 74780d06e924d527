/// `2026-11-24 14:23:06` from seconds since the epoch (civil-from-days, no Foundation).
func utc(_ t: Int64, separator: String = " ") -> String {
  let days = t >= 0 ? t / 86400 : (t - 86399) / 86400
  let secs = t - days * 86400
  let z = days + 719468
  let era = (z >= 0 ? z : z - 146096) / 146097
  let doe = z - era * 146097
  let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
  let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
  let mp = (5 * doy + 2) / 153
  let d = doy - (153 * mp + 2) / 5 + 1
  let m = mp < 10 ? mp + 3 : mp - 9
  let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
  return "\(y)-\(two(m))-\(two(d))\(separator)\(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60))"
}
