namespace Sentinel.Storage;

/// <summary>
/// Event rows column by column, the way the Parquet column API takes them: no object per row, and
/// the shared values (bundle, run, code, ...) are the same string instances row after row.
/// </summary>
internal sealed class EventColumns(int count)
{
    public int Count { get; } = count;
    public string[] EventId { get; } = new string[count];
    public string[] BundleId { get; } = new string[count];
    public string[] RunKey { get; } = new string[count];
    public DateTime[] Timestamp { get; } = new DateTime[count];
    public DateTime[] ReceivedAt { get; } = new DateTime[count];
    public string[] Level { get; } = new string[count];
    public string?[] Code { get; } = new string?[count];
    public string?[] Category { get; } = new string?[count];
    public string?[] ExceptionType { get; } = new string?[count];
    public string?[] Source { get; } = new string?[count];
    public string[] TraceHash { get; } = new string[count];
    public string?[] PythonVersion { get; } = new string?[count];
    public string?[] Platform { get; } = new string?[count];
    public string?[] Profile { get; } = new string?[count];
    public string?[] SmonitorVersion { get; } = new string?[count];
}

internal sealed record PerformanceRow(
    string RunKey, string BundleId, string Function, DateTime? ObservedAt, DateTime ReceivedAt,
    long? Count, double? P50Ms, double? P95Ms, double? MaxMs,
    string? PythonVersion, string? Platform, string? Profile, string? SmonitorVersion);

internal sealed record CatalogRow(
    string Library, string Version, string Code, string? Title, string? Hint, string? Category, string BundleId, DateTime ReceivedAt);

internal sealed record BundleRow(
    string BundleId, string Receipt, string IngestId, DateTime ReceivedAt, string Shape, string RunKey,
    string? SmonitorVersion, string? PythonVersion, string? Platform, string? Profile,
    long EventsSeen, long EventsWritten, long EventsDuplicate, long EventsRejected, long PerformanceRows, long CatalogRows,
    string Libraries, string Redactions, string? UploadReceipt);
