// NeedsAnalysis: "which mahalle needs what".
//
// Data flow (every stage plain data in, plain data out):
//   ComplaintSnapshot + [Mahalle] + [Category] + Period
//     → NeedsScope            (which mahalle / categories / complaints are in the report)
//     → NeedsCounts           (one pass over the 32-byte records, integer counters only)
//     → NeedsReport           (rates, observed/expected with exact Poisson CIs, change tests, service, ranking)
//     → table / JSON / CSV    (NeedsReport+Output)
//
//   … + spatial weights (queen contiguity of the polygons, or a regular grid in a local projection)
//     → GetisOrd (Gi*)       → HotspotAnalysis → table / JSON / CSV / GeoJSON
//
// The statistics (special functions, exact Poisson interval, exact binomial test, Benjamini–Hochberg,
// quantiles, Gi*) live in `Statistics/` and `Spatial/` and are checked against scipy and PySAL fixtures.
