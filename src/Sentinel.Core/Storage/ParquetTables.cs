using Parquet;
using Parquet.Schema;

namespace Sentinel.Storage;

/// <summary>Writes lake rows with Parquet.Net's column API (dictionary strings, Snappy).</summary>
internal static class ParquetTables
{
    private static ParquetOptions Options()
    {
        var options = new ParquetOptions
        {
            CompressionMethod = CompressionMethod.Snappy,
            // The default (SmallestSize) is ~30x slower for no real gain here.
            CompressionLevel = System.IO.Compression.CompressionLevel.Fastest,
        };
        foreach (var column in LakeSchema.DictionaryColumns)
        {
            options.ColumnEncodingHints[column] = EncodingHint.Dictionary;
        }

        return options;
    }

    /// <summary>
    /// One file, one row group per slice. The slices are built as they are written, so a large
    /// partition costs one slice of string columns at a time, not the whole flush.
    /// </summary>
    public static async Task WriteEventsAsync(string path, IEnumerable<EventColumns> slices, CancellationToken ct)
    {
        var s = LakeSchema.Events;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            await using (var writer = await ParquetWriter.CreateAsync(s, file, Options(), false, ct))
            {
                writer.CustomMetadata = new Dictionary<string, string> { [LakeSchema.MetadataKey] = LakeSchema.Version.ToString() };
                foreach (var rows in slices)
                {
                    using var rg = writer.CreateRowGroup();
                    await rg.WriteAsync(s.DataFields[0], rows.EventId!);
                    await rg.WriteAsync(s.DataFields[1], rows.BundleId!);
                    await rg.WriteAsync(s.DataFields[2], rows.RunKey!);
                    await rg.WriteAsync<DateTime>(s.DataFields[3], rows.Timestamp.AsMemory());
                    await rg.WriteAsync<DateTime>(s.DataFields[4], rows.ReceivedAt.AsMemory());
                    await rg.WriteAsync(s.DataFields[5], rows.Level!);
                    await rg.WriteAsync(s.DataFields[6], rows.Code);
                    await rg.WriteAsync(s.DataFields[7], rows.Category);
                    await rg.WriteAsync(s.DataFields[8], rows.ExceptionType);
                    await rg.WriteAsync(s.DataFields[9], rows.Source);
                    await rg.WriteAsync(s.DataFields[10], rows.TraceHash!);
                    await rg.WriteAsync(s.DataFields[11], rows.PythonVersion);
                    await rg.WriteAsync(s.DataFields[12], rows.Platform);
                    await rg.WriteAsync(s.DataFields[13], rows.Profile);
                    await rg.WriteAsync(s.DataFields[14], rows.SmonitorVersion);
                    rg.CompleteValidate();
                }
            }

            // Durable before it can be renamed into view.
            file.Flush(flushToDisk: true);
        }
    }

    public static async Task WritePerformanceAsync(string path, IReadOnlyList<PerformanceRow> rows, CancellationToken ct)
    {
        var s = LakeSchema.Performance;
        await WriteAsync(path, s, async rg =>
        {
            await Str(rg, s, 0, rows.Select(r => r.RunKey));
            await Str(rg, s, 1, rows.Select(r => r.BundleId));
            await Str(rg, s, 2, rows.Select(r => r.Function));
            await NullableTime(rg, s, 3, rows.Select(r => r.ObservedAt));
            await Time(rg, s, 4, rows.Select(r => r.ReceivedAt));
            await rg.WriteAsync<long>(s.DataFields[5], rows.Select(r => r.Count).ToArray().AsMemory());
            await rg.WriteAsync<double>(s.DataFields[6], rows.Select(r => r.P50Ms).ToArray().AsMemory());
            await rg.WriteAsync<double>(s.DataFields[7], rows.Select(r => r.P95Ms).ToArray().AsMemory());
            await rg.WriteAsync<double>(s.DataFields[8], rows.Select(r => r.MaxMs).ToArray().AsMemory());
            await Str(rg, s, 9, rows.Select(r => r.PythonVersion));
            await Str(rg, s, 10, rows.Select(r => r.Platform));
            await Str(rg, s, 11, rows.Select(r => r.Profile));
            await Str(rg, s, 12, rows.Select(r => r.SmonitorVersion));
        }, ct);
    }

    public static async Task WriteCatalogAsync(string path, IReadOnlyList<CatalogRow> rows, CancellationToken ct)
    {
        var s = LakeSchema.Catalog;
        await WriteAsync(path, s, async rg =>
        {
            await Str(rg, s, 0, rows.Select(r => r.Library));
            await Str(rg, s, 1, rows.Select(r => r.Version));
            await Str(rg, s, 2, rows.Select(r => r.Code));
            await Str(rg, s, 3, rows.Select(r => r.Title));
            await Str(rg, s, 4, rows.Select(r => r.Hint));
            await Str(rg, s, 5, rows.Select(r => r.Category));
            await Str(rg, s, 6, rows.Select(r => r.BundleId));
            await Time(rg, s, 7, rows.Select(r => r.ReceivedAt));
        }, ct);
    }

    public static async Task WriteBundlesAsync(string path, IReadOnlyList<BundleRow> rows, CancellationToken ct)
    {
        var s = LakeSchema.Bundles;
        await WriteAsync(path, s, async rg =>
        {
            await Str(rg, s, 0, rows.Select(r => r.BundleId));
            await Str(rg, s, 1, rows.Select(r => r.Receipt));
            await Str(rg, s, 2, rows.Select(r => r.IngestId));
            await Time(rg, s, 3, rows.Select(r => r.ReceivedAt));
            await Str(rg, s, 4, rows.Select(r => r.Shape));
            await Str(rg, s, 5, rows.Select(r => r.RunKey));
            await Str(rg, s, 6, rows.Select(r => r.SmonitorVersion));
            await Str(rg, s, 7, rows.Select(r => r.PythonVersion));
            await Str(rg, s, 8, rows.Select(r => r.Platform));
            await Str(rg, s, 9, rows.Select(r => r.Profile));
            await Long(rg, s, 10, rows.Select(r => r.EventsSeen));
            await Long(rg, s, 11, rows.Select(r => r.EventsWritten));
            await Long(rg, s, 12, rows.Select(r => r.EventsDuplicate));
            await Long(rg, s, 13, rows.Select(r => r.EventsRejected));
            await Long(rg, s, 14, rows.Select(r => r.PerformanceRows));
            await Long(rg, s, 15, rows.Select(r => r.CatalogRows));
            await Str(rg, s, 16, rows.Select(r => r.Libraries));
            await Str(rg, s, 17, rows.Select(r => r.Redactions));
            await rg.WriteAsync<int>(s.DataFields[18], Enumerable.Repeat(LakeSchema.Version, rows.Count).ToArray().AsMemory());
            await Str(rg, s, 19, rows.Select(r => r.UploadReceipt));
        }, ct);
    }

    private static async Task WriteAsync(string path, ParquetSchema schema, Func<ParquetRowGroupWriter, Task> columns, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            await using (var writer = await ParquetWriter.CreateAsync(schema, file, Options(), false, ct))
            {
                writer.CustomMetadata = new Dictionary<string, string> { [LakeSchema.MetadataKey] = LakeSchema.Version.ToString() };
                using var rg = writer.CreateRowGroup();
                await columns(rg);
                rg.CompleteValidate();
            }

            // Durable before it can be renamed into view.
            file.Flush(flushToDisk: true);
        }
    }

    private static Task Str(ParquetRowGroupWriter rg, ParquetSchema s, int i, IEnumerable<string?> values) =>
        rg.WriteAsync(s.DataFields[i], values.ToArray()!);

    private static Task Time(ParquetRowGroupWriter rg, ParquetSchema s, int i, IEnumerable<DateTime> values) =>
        rg.WriteAsync<DateTime>(s.DataFields[i], values.ToArray().AsMemory());

    private static Task NullableTime(ParquetRowGroupWriter rg, ParquetSchema s, int i, IEnumerable<DateTime?> values) =>
        rg.WriteAsync<DateTime>(s.DataFields[i], values.ToArray().AsMemory());

    private static Task Long(ParquetRowGroupWriter rg, ParquetSchema s, int i, IEnumerable<long> values) =>
        rg.WriteAsync<long>(s.DataFields[i], values.ToArray().AsMemory());
}
