using Sentinel.Config;
using Sentinel.Storage;

namespace Sentinel.Ingest;

/// <summary>
/// The per-library, per-day cardinality cap (<c>ingest.limits.max_distinct_per_library_day</c>), across uploads:
/// each library may gain at most that many distinct codes, sources, trace hashes and timing functions (each) on
/// the UTC day the uploads are received. A value admitted earlier that day always passes; a new one past the cap
/// folds into the same <c>other</c> bucket as the per-upload cap, counted as <c>folded.&lt;field&gt;</c>.
/// <para>
/// The day is the day of receipt, not the events' own timestamps: those are the uploader's to choose, and a cap
/// keyed on them could be spread over invented days. What was admitted is kept in
/// <c>state/distinct/&lt;day&gt;.json</c>, staged with the batch and renamed into place by the ingest's commit journal:
/// it changes exactly when the rows it counts become visible. An ingest that fails before its commit point leaves the
/// day's budget as it was; a commit a crash interrupts is rolled forward by the next run, state file included. A
/// duplicate upload is recognised before the cap and spends nothing. The files of earlier days are removed after a
/// commit. Its size is bounded by the cap × four fields × the libraries seen that day.
/// </para>
/// </summary>
internal sealed class DistinctBudget
{
    internal static readonly string[] Fields = ["code", "source", "trace_hash", "function"];

    private readonly int _cap;
    private readonly string _file;
    private readonly string _folder;
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _admitted;
    private bool _changed;

    private DistinctBudget(int cap, string folder, string file, Dictionary<string, Dictionary<string, HashSet<string>>> admitted)
    {
        _cap = cap;
        _folder = folder;
        _file = file;
        _admitted = admitted;
    }

    /// <summary>The budget of the day <paramref name="now"/> falls on, as the lake's state has it.</summary>
    public static DistinctBudget Load(LakePaths paths, int cap, DateTime now)
    {
        var folder = Path.Combine(paths.State, "distinct");
        var file = Path.Combine(folder, $"{now:yyyy-MM-dd}.json");
        var stored = StateFile.Read<Dictionary<string, Dictionary<string, List<string>>>>(file) ?? [];
        var admitted = stored.ToDictionary(
            l => l.Key,
            l => l.Value.ToDictionary(f => f.Key, f => new HashSet<string>(f.Value, StringComparer.Ordinal), StringComparer.Ordinal),
            StringComparer.Ordinal);
        return new DistinctBudget(cap, folder, file, admitted);
    }

    /// <summary>True when <paramref name="value"/> of <paramref name="field"/> may be stored for <paramref name="library"/> today (and admits it).</summary>
    public bool Admit(string library, string field, string value)
    {
        if (!_admitted.TryGetValue(library, out var fields))
        {
            _admitted[library] = fields = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        }

        if (!fields.TryGetValue(field, out var seen))
        {
            fields[field] = seen = new HashSet<string>(StringComparer.Ordinal);
        }

        if (seen.Contains(value))
        {
            return true;
        }

        if (seen.Count >= _cap)
        {
            return false;
        }

        seen.Add(value);
        _changed = true;
        return true;
    }

    /// <summary>
    /// Folds the attributed event kinds and the timings of one reading that are past the cap, counting each
    /// fold in the reading's ledger. Runs after attribution (the library is known) and before anything is buffered.
    /// </summary>
    public void Apply(BundleReading reading, LibraryRegistry registry)
    {
        foreach (var kind in reading.Events.Kinds.Where(k => !k.Dropped))
        {
            if (kind.Code is { } code && code != BundleParser.Other && !Admit(kind.Library, "code", code))
            {
                kind.Code = BundleParser.Other;
                reading.Ledger.Add("folded.code");
            }

            // Only a source that is stored counts (one inside the attributed library's namespace).
            if (kind.KeptSource is { } source && !source.EndsWith("." + BundleParser.Other, StringComparison.Ordinal)
                && !Admit(kind.Library, "source", source))
            {
                kind.Source = BundleParser.OtherInNamespace(source);
                reading.Ledger.Add("folded.source");
            }

            if (kind.TraceHash != BundleParser.Other && !Admit(kind.Library, "trace_hash", kind.TraceHash))
            {
                kind.TraceHash = BundleParser.Other;
                reading.Ledger.Add("folded.trace_hash");
            }
        }

        // One row per run × function: a folded timing function has no single p95 to keep, so it is dropped.
        // An unregistered library's timing, or one outside every library, is dropped later: it spends no budget.
        var dropped = reading.Timings.RemoveAll(t =>
            Attribution.Namespace(t.Function) is { } ns && reading.LibraryNamespaces.Contains(ns) && (registry.LibraryOf(ns) ?? ns) is var library
            && registry.Serves(library) && !Admit(library, "function", t.Function));
        if (dropped > 0)
        {
            reading.Ledger.Add("folded.function", dropped);
        }
    }

    /// <summary>Stages what this ingest admitted, when anything, to be renamed into place by the commit.</summary>
    public void Stage(LakeWriter writer)
    {
        if (!_changed)
        {
            return;
        }

        writer.StageState(Path.Combine("state", "distinct", Path.GetFileName(_file)), _admitted.ToDictionary(
            l => l.Key,
            l => l.Value.ToDictionary(f => f.Key, f => f.Value.Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal),
            StringComparer.Ordinal));
        _changed = false;
    }

    /// <summary>Drops the files of earlier days (after the commit: only today's file is ever read).</summary>
    public void RemoveEarlierDays()
    {
        if (Directory.Exists(_folder))
        {
            foreach (var old in Directory.EnumerateFiles(_folder, "*.json").Where(f => string.CompareOrdinal(Path.GetFileName(f), Path.GetFileName(_file)) < 0))
            {
                File.Delete(old);
            }
        }
    }
}
