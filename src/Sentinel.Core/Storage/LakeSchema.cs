using Parquet.Schema;

namespace Sentinel.Storage;

/// <summary>
/// The lake contract (docs/lake.md). Bump <see cref="Version"/> on any incompatible change, with a migration.
/// A new nullable column appended to a table is compatible (every reader uses <c>union_by_name</c>, older files read it as NULL).
/// </summary>
public static class LakeSchema
{
    public const int Version = 1;
    public const string Unknown = "unknown";
    public const string MetadataKey = "sentinel.schema_version";

    // Milliseconds, not microseconds: Parquet.Net 6.1 writes the min/max statistics of an INT64 timestamp
    // in milliseconds whatever the unit (aloneguid/parquet-dotnet#769), so with microsecond data every engine
    // that prunes by statistics (DuckDB: any WHERE on a timestamp) answers wrongly. Milliseconds keep data
    // and statistics in the same unit. Files rewritten by DuckDB (compaction, forget, retention) keep
    // whichever unit they read, with correct statistics.
    private static DateTimeDataField Timestamp(string name, bool nullable = false) =>
        new(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: nullable);

    private static DataField<string> Text(string name) => new(name, true);

    // library and version are Hive partition columns (directory names), not stored in the files.
    internal static readonly ParquetSchema Events = new(
        Text("event_id"), Text("bundle_id"), Text("run_key"),
        Timestamp("timestamp"), Timestamp("received_at"),
        Text("level"), Text("code"), Text("category"), Text("exception_type"), Text("source"),
        Text("trace_hash"), Text("python_version"), Text("platform"), Text("profile"), Text("smonitor_version"));

    internal static readonly ParquetSchema Performance = new(
        Text("run_key"), Text("bundle_id"), Text("function"),
        Timestamp("observed_at", nullable: true), Timestamp("received_at"),
        new DataField<long?>("count"), new DataField<double?>("p50_ms"), new DataField<double?>("p95_ms"), new DataField<double?>("max_ms"),
        Text("python_version"), Text("platform"), Text("profile"), Text("smonitor_version"));

    internal static readonly ParquetSchema Catalog = new(
        Text("library"), Text("version"), Text("code"), Text("title"), Text("hint"), Text("category"),
        Text("bundle_id"), Timestamp("received_at"));

    internal static readonly ParquetSchema Bundles = new(
        Text("bundle_id"), Text("receipt"), Text("ingest_id"), Timestamp("received_at"), Text("shape"),
        Text("run_key"), Text("smonitor_version"), Text("python_version"), Text("platform"), Text("profile"),
        new DataField<long>("events_seen"), new DataField<long>("events_written"), new DataField<long>("events_duplicate"),
        new DataField<long>("events_rejected"), new DataField<long>("performance_rows"), new DataField<long>("catalog_rows"),
        Text("libraries"), Text("redactions"), new DataField<int>("schema_version"), Text("upload_receipt"));

    /// <summary>Columns that repeat a handful of values: dictionary-encoded.</summary>
    internal static readonly string[] DictionaryColumns =
    [
        "run_key", "bundle_id", "level", "code", "category", "exception_type", "source", "trace_hash", "python_version",
        "platform", "profile", "smonitor_version", "function", "library", "version", "shape", "ingest_id",
    ];
}
