using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Sentinel.Config;
using Sentinel.Storage;

namespace Sentinel.Aggregate;

/// <summary>
/// What the summaries were computed from: the settings, the lake generation, the committed ingests and the build
/// of this code, as one hash in <c>state/summary-inputs.json</c> with the counts it produced. An incremental
/// aggregate with nothing new and the same hash leaves <c>summary/</c> untouched (issue 19: the rewrite was most of
/// an idle daily run); any difference, <c>--full</c>, or a missing summary file recomputes them.
/// </summary>
internal static class SummaryInputs
{
    private const string FileName = "summary-inputs.json";

    private sealed record Recorded(string Inputs, int Libraries, int Versions, int Problems, int Regressions, int Confirmed);

    public static string Of(SentinelConfig config, string generation, IEnumerable<string> ingests)
    {
        var text = new StringBuilder()
            .Append(JsonSerializer.Serialize(config)).Append('\n')
            .Append(generation).Append('\n')
            .Append(typeof(SummaryInputs).Assembly.ManifestModule.ModuleVersionId.ToString("N")).Append('\n')
            // A registered catalog is an input too: an edited catalog file renames problems without any new ingest.
            .AppendJoin('\n', config.Libraries.Where(l => l.Value.Catalog is not null).OrderBy(l => l.Key, StringComparer.Ordinal)
                .Select(l => l.Key + ":" + (File.Exists(l.Value.Catalog) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(l.Value.Catalog!))) : "missing")))
            .Append('\n')
            .AppendJoin('\n', ingests.Order(StringComparer.Ordinal));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static bool Unchanged(LakePaths paths, string inputs, out Aggregator.SummaryCounts counts)
    {
        counts = new Aggregator.SummaryCounts(0, 0, 0, 0, 0);
        var file = Path.Combine(paths.State, FileName);
        var summaryDir = Path.Combine(paths.Root, Aggregator.SummaryFolder);
        if (!File.Exists(file) || !File.Exists(Path.Combine(summaryDir, "meta.json")) || Aggregator.Tables.Any(t => !File.Exists(Path.Combine(summaryDir, t + ".json")) || !File.Exists(Path.Combine(summaryDir, t + ".parquet"))))
        {
            return false;
        }

        try
        {
            var r = JsonSerializer.Deserialize<Recorded>(File.ReadAllBytes(file));
            if (r is null || r.Inputs != inputs)
            {
                return false;
            }

            counts = new Aggregator.SummaryCounts(r.Libraries, r.Versions, r.Problems, r.Regressions, r.Confirmed);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static void Forget(LakePaths paths) => File.Delete(Path.Combine(paths.State, FileName));

    public static void Record(LakePaths paths, string inputs, Aggregator.SummaryCounts c)
    {
        var file = Path.Combine(paths.State, FileName);
        var tmp = file + ".tmp";
        File.WriteAllBytes(tmp, JsonSerializer.SerializeToUtf8Bytes(new Recorded(inputs, c.Libraries, c.Versions, c.Problems, c.Regressions, c.Confirmed)));
        File.Move(tmp, file, overwrite: true);
    }
}
