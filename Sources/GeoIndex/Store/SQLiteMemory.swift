import CSpatiaLite

/// SQLite's own heap figures (all connections of the process), for `/metrics` and the soak's memory accounting.
public enum SQLiteMemory {
    /// Bytes SQLite has allocated and not freed: page caches (bounded by each connection's `cache_size`),
    /// prepared statements, schema.
    public static func bytesInUse() -> Int64 { sqlite3_memory_used() }
}
