import Foundation

extension SpatiaLiteStore {
    /// What `taskmap info --quality` says about the whole store — the same checks as the import report, so a city
    /// that imports its files one by one still sees what they share (Boston's 6,440 rows at City Hall).
    public struct QualityReport: Sendable {
        public var complaints = 0
        public var outside = 0
        public var stackThreshold = 0
        public var stacks: [DataQuality.Stack] = []
        public var flagged = 0
        public var dateRange: (from: Int64, to: Int64)?
        public var datesOutside = 0
        public var timesDropped = 0
        public var unknownValues: [ImportReport.UnknownValue] = []
    }

    public func qualityReport(stackThreshold: Int? = nil) throws -> QualityReport {
        let snap = try loadSnapshotCached()
        return try locked {
            var q = QualityReport()
            q.complaints = snap.count
            var times: [Int64] = []
            times.reserveCapacity(snap.count)
            snap.forEach(filter: CompiledFilter()) { r in
                if r.mahalle == 0 { q.outside += 1 }
                if r.flags & CompactComplaint.stackExcluded != 0 { q.flagged += 1 }
                times.append(r.createdUnix)
            }
            q.stackThreshold = stackThreshold ?? DataQuality.defaultStackThreshold(rows: snap.count)
            let st = try db.prepare("""
                SELECT X(geom), Y(geom), count(*) FROM complaints GROUP BY X(geom), Y(geom) HAVING count(*) >= ? ORDER BY 3 DESC
                """)
            try st.bind([.int(Int64(q.stackThreshold))])
            while try st.step() {
                let n = st.int(2)
                q.stacks.append(.init(location: LonLat(lon: st.double(0), lat: st.double(1)), count: n,
                                      share: Double(n) / Double(max(1, snap.count))))
            }
            if let r = DataQuality.dateOutliers(times) {
                q.dateRange = (r.mainFrom, r.mainTo)
                q.datesOutside = r.outside.count
            }
            q.timesDropped = try db.scalarInt("SELECT count(*) FROM complaints WHERE quality & 3 != 0").map(Int.init) ?? 0
            let u = try db.prepare("""
                SELECT 'channel', channel_text, count(*) FROM complaints WHERE channel_text IS NOT NULL GROUP BY channel_text
                UNION ALL SELECT 'type', type_text, count(*) FROM complaints WHERE type_text IS NOT NULL GROUP BY type_text
                ORDER BY 3 DESC
                """)
            while try u.step() { q.unknownValues.append(.init(field: u.text(0) ?? "", text: u.text(1) ?? "", count: u.int(2))) }
            return q
        }
    }

    /// Flags the rows on these coordinates to stay out of heat maps and hot spots (and clears every other flag of
    /// that kind): one transaction. Returns how many rows are flagged.
    @discardableResult
    public func flagStacks(_ stacks: [LonLat]) throws -> Int {
        try locked {
            try db.transaction {
                try db.execute("UPDATE complaints SET quality = quality & ~4 WHERE quality & 4 != 0")
                let st = try db.prepare("UPDATE complaints SET quality = quality | 4 WHERE X(geom) = ? AND Y(geom) = ?")
                for p in stacks { try st.run([.double(p.lon), .double(p.lat)]) }
                return try db.scalarInt("SELECT count(*) FROM complaints WHERE quality & 4 != 0").map(Int.init) ?? 0
            }
        }
    }

    /// Each complaint's source id and the mahalle it was put in (nil: outside every mahalle).
    public func mahalleOfExternalRefs() throws -> [(ref: String, mahalle: Int64?)] {
        try locked {
            let st = try db.prepare("SELECT external_ref, mahalle_id FROM complaints WHERE external_ref IS NOT NULL")
            var out: [(String, Int64?)] = []
            while try st.step() { out.append((st.text(0) ?? "", st.optInt64(1))) }
            return out
        }
    }
}
