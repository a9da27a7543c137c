using System.Buffers;
using System.Text;
using Sentinel.Storage;

namespace Sentinel.Ingest;

/// <summary>
/// Reads a safe-schema telemetry upload (JSON Lines, one record per line; what <c>POST /v1/events</c> stores) into a
/// <see cref="BundleReading"/>: each valid record becomes an event, each bad line is recorded with its number and
/// quarantined like a bad <c>events.jsonl</c> line. The records already hold only safe-schema fields; the library
/// and version they name are used as they are, through the same attribution as bundle events.
/// </summary>
internal static class TelemetryReading
{
    private const int ChunkBytes = 64 * 1024;

    public static void Read(Stream stream, string file, int maxRecords, BundleReading into)
    {
        into.SawEventsFile = true;
        var validator = new TelemetryValidator();
        var splitter = new LineSplitter(TelemetryValidator.MaxLineBytes);
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            bool OnLine(ReadOnlySpan<byte> line, int number, bool tooLong)
            {
                into.EventsSeen++;
                if (into.EventsSeen > maxRecords)
                {
                    throw new BundleRejectedException(new Problem(file, null, $"more than {maxRecords:N0} records (ingest.limits.max_events_per_bundle)"));
                }

                Problem? problem = null;
                var record = tooLong ? null : validator.Check(line, number, out problem);
                if (record is null)
                {
                    problem ??= TelemetryValidator.TooLong(number);
                    into.BadEvents.Add(problem with { Where = $"{file} {problem.Where}" });
                    into.Ledger.Add("rejected.event");
                }
                else
                {
                    into.AddEvent(ToEvent(record, into.Ledger));
                    if (into.DeclaredNamespaces.Count < BundleReading.MaxDeclaredNamespaces)
                    {
                        into.DeclaredNamespaces.Add(record.Library); // a record names its library: evidence for attribution
                    }
                }

                return true;
            }

            int read;
            while ((read = stream.Read(chunk, 0, ChunkBytes)) > 0)
            {
                splitter.Feed(chunk.AsSpan(0, read), OnLine);
            }

            splitter.Finish(OnLine);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        if (into.EventsSeen == 0)
        {
            throw new BundleRejectedException(new Problem(file, null, "no telemetry records: the file holds only blank lines"));
        }

        into.PythonVersion = validator.UploadWide("python_version");
        into.Platform = PlatformVocabulary.NormalizeJoined(validator.UploadWide("platform"), r => into.Ledger.Add(r));
        into.Profile = validator.UploadWide("profile");
        into.SmonitorVersion = validator.UploadWide("smonitor_version") is { } sv ? Attribution.PublicPart(sv) : null;
        into.RunId = validator.SingleRunId;
    }

    private static ParsedEvent ToEvent(TelemetryRecord r, RedactionLedger ledger)
    {
        var ev = new ParsedEvent
        {
            Timestamp = r.TimestampUtc,
            Level = r.Level,
            Code = r.Code,
            Category = r.Category,
            ExceptionType = r.ExceptionType,
            RunId = r.RunId,
            // The record names its library: attribution takes it as the event's namespace.
            Namespace = r.Library,
        };

        if (r.Source is not null)
        {
            if (Attribution.Namespace(r.Source) == r.Library)
            {
                ev.Source = r.Source;
            }
            else
            {
                ledger.Add("dropped.source_outside_library");
            }
        }

        if (r.Version is not null)
        {
            ev.IdentityNames = [r.Library];
            ev.IdentityVersions = [r.Version];
        }

        // Fingerprinted from the source as sent (as smonitor does), before it is dropped for being outside the library.
        ev.TraceHash = r.TraceHash ?? EventReducer.Fingerprint(new ParsedEvent { Code = r.Code, ExceptionType = r.ExceptionType, Source = r.Source }, null);
        EventReducer.IdentityDigest(Encoding.ASCII.GetBytes(r.Timestamp), ev.TraceHash, r.Level,
            r.Code is null ? default : Encoding.ASCII.GetBytes(r.Code), default, ev.IdentityDigest);
        return ev;
    }
}
