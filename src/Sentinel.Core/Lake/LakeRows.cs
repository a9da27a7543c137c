namespace Sentinel.Lake;

internal sealed record EventRow(
    string EventId, string BundleId, string RunKey, DateTime Timestamp, DateTime ReceivedAt, string Level,
    string? Code, string? Category, string? ExceptionType, string? Source, string TraceHash,
    string? PythonVersion, string? Platform, string? Profile, string? SmonitorVersion);

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
