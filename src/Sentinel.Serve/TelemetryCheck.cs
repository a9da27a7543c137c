using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Storage;

namespace Sentinel.Serve;

/// <summary>
/// Validates a <c>POST /v1/events</c> body line by line while it streams in, with the same splitter and validator
/// <c>sentinel ingest</c> reads <c>*.telemetry.jsonl</c> with, so a stored body ingests cleanly. The first bad
/// line refuses the body; the error names the line and the field, never the value.
/// </summary>
internal sealed class TelemetryCheck : BodyCheck
{
    // Ingest rejects an upload past this many records: refuse it here, where the client still hears about it.
    private static readonly int MaxRecords = new LimitsConfig().MaxEventsPerBundle;

    private readonly LineSplitter _lines = new(TelemetryValidator.MaxLineBytes);
    private readonly TelemetryValidator _validator = new();
    private readonly LineHandler _onLine;
    private int _records;

    public TelemetryCheck() => _onLine = OnLine;

    public override void Feed(ReadOnlySpan<byte> chunk) => _lines.Feed(chunk, _onLine);

    public override void Finish()
    {
        if (Failure is null && _lines.Finish(_onLine) && _records == 0)
        {
            Refuse(new ApiError("malformed_body", _lines.Lines == 0 ? "empty body: send at least one telemetry record" : "body holds only blank lines: send at least one telemetry record"));
        }
    }

    private bool OnLine(ReadOnlySpan<byte> line, int number, bool tooLong)
    {
        if (++_records > MaxRecords)
        {
            Refuse(new ApiError("too_many_records", $"more than {MaxRecords:N0} records in one upload; split it", number, null));
            return false;
        }

        Problem? problem = null;
        if (tooLong || _validator.Check(line, number, out problem) is null)
        {
            problem ??= TelemetryValidator.TooLong(number);
            Refuse(new ApiError("invalid_record", $"{problem.Where}: {problem.Message}", number, problem.Field));
            return false;
        }

        return true;
    }

    private void Refuse(ApiError error)
    {
        Failure = error;
        Done = true;
    }
}
