using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sentinel.Storage;

namespace Sentinel.Issues;

/// <summary>
/// One issue Sentinel filed (or is about to file). <see cref="Status"/>: <c>intent</c> (a create was
/// about to be sent: its outcome is unknown until reconciled by searching the marker) or <c>filed</c>.
/// <see cref="ReportedVersion"/> is the newest version the issue (or its last comment) reported.
/// </summary>
public sealed record LedgerEntry(
    string Repo, string Key, LedgerStatus Status, int? Number, string? Url, IssueState? State,
    string? ReportedVersion, long ReportedEvents, DateTimeOffset? IntentAt, DateTimeOffset? FiledAt, DateTimeOffset? LastWriteAt);

/// <summary>One write sent to GitHub (budgets are counted from these).</summary>
public sealed record LedgerWrite(string Repo, string Key, IssueStep Action, DateTimeOffset At, bool Ok);

/// <summary>
/// <c>&lt;lake&gt;/state/issues/ledger.json</c>: the issues Sentinel filed and the writes it sent,
/// saved atomically before (intent) and after each write. It may be lost: the marker search
/// in the target repository is the ground truth, the ledger is the fast path and the budget counter.
/// </summary>
public sealed class IssueLedger
{
    private readonly string _file;
    private readonly Dictionary<(string Repo, string Key), LedgerEntry> _entries = [];
    private readonly List<LedgerWrite> _writes = [];

    private IssueLedger(string file) => _file = file;

    public static string PathOf(Lake lake) => Path.Combine(lake.Paths.State, "issues", "ledger.json");

    public static IssueLedger Load(Lake lake)
    {
        var ledger = new IssueLedger(PathOf(lake));
        if (StateFile.Read<Document>(ledger._file) is { } doc)
        {
            foreach (var e in doc.Issues)
            {
                ledger._entries[(e.Repo, e.Key)] = e;
            }

            ledger._writes.AddRange(doc.Writes);
        }

        return ledger;
    }

    /// <summary>
    /// The entry under <paramref name="key"/>, else one filed under an older key of the same problem (re-keyed in the
    /// copy returned; <see cref="Put"/> stores it under the new key).
    /// </summary>
    public LedgerEntry? Find(string repo, string key, IEnumerable<string> legacyKeys)
    {
        ArgumentNullException.ThrowIfNull(legacyKeys);
        if (Find(repo, key) is { } current)
        {
            return current;
        }

        return legacyKeys.Select(k => Find(repo, k)).FirstOrDefault(e => e is not null) is { } legacy ? legacy with { Key = key } : null;
    }

    public LedgerEntry? Find(string repo, string key) => _entries.GetValueOrDefault((repo, key));

    public IReadOnlyList<LedgerEntry> Entries => [.. _entries.Values];

    public IReadOnlyList<LedgerWrite> Writes => _writes;

    /// <summary>Successful creates in <paramref name="repo"/> on the UTC day of <paramref name="now"/>.</summary>
    public int CreatedOn(string repo, DateTimeOffset now) =>
        _writes.Count(w => w.Repo == repo && w.Action == IssueStep.Create && w.Ok && w.At.UtcDateTime.Date == now.UtcDateTime.Date);

    public void Put(LedgerEntry entry)
    {
        _entries[(entry.Repo, entry.Key)] = entry;
        Save();
    }

    public void Record(LedgerWrite write)
    {
        _writes.Add(write);
        Save();
    }

    private void Save()
    {
        var doc = new Document(1,
            [.. _entries.Values.OrderBy(e => e.Repo, StringComparer.Ordinal).ThenBy(e => e.Key, StringComparer.Ordinal)],
            // Budgets look back one day; keep a month of writes for the record.
            [.. _writes.Where(w => w.At > _writes.Max(x => x.At).AddDays(-31))]);
        StateFile.Write(_file, doc);
    }

    private sealed record Document(int Version, List<LedgerEntry> Issues, List<LedgerWrite> Writes);
}
