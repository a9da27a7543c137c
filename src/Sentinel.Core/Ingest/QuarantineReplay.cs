using Sentinel.Config;
using Sentinel.Storage;

namespace Sentinel.Ingest;

/// <summary>Re-ingests quarantined inputs after a limit or a fix changed (DESIGN §4).</summary>
public static class QuarantineReplay
{
    public static async Task<IReadOnlyList<ReplayOutcome>> RunAsync(
        Lake lake, SentinelConfig config, IReadOnlyList<QuarantineEntry> entries, CancellationToken ct)
    {
        var paths = lake.Paths;
        var results = new List<ReplayOutcome>();
        foreach (var entry in entries)
        {
            var stored = Quarantine.StoredInput(paths, entry.Id);
            if (stored is null)
            {
                results.Add(new ReplayOutcome(entry, false, "stored input missing; nothing to replay"));
                continue;
            }

            var options = new IngestOptions([stored], lake, config, VersionHints.None)
            {
                // A partial upload's good events are stored already; re-reading it must be allowed
                // so that lines rejected under the old limits get another chance (event ids dedupe).
                ReprocessKnownBundles = entry.Kind == QuarantineEntry.Partial,
                QuarantineAs = entry.Input,
            };
            var result = await Ingester.RunAsync(options, null, ct);
            var outcome = result.Outcomes.FirstOrDefault();
            if (outcome is { Status: InputStatus.Accepted or InputStatus.Duplicate })
            {
                Quarantine.Remove(paths, entry.Id);
                results.Add(new ReplayOutcome(entry, true, outcome.Status == InputStatus.Accepted
                    ? $"ingested ({outcome.EventsWritten:N0} events written); removed from quarantine"
                    : "duplicate of a stored upload; removed from quarantine"));
            }
            else
            {
                var why = result.Quarantined.FirstOrDefault()?.Reason ?? "still rejected";
                results.Add(new ReplayOutcome(entry, false, $"still quarantined: {why}"));
            }
        }

        return results;
    }
}

/// <summary>How replaying one quarantine entry ended; <see cref="Cleared"/> when it left the quarantine.</summary>
public sealed record ReplayOutcome(QuarantineEntry Entry, bool Cleared, string Message);
