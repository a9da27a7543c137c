using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sentinel.Aggregate;
using Sentinel.Storage;
using Sentinel.Text;

namespace Sentinel.Triage;

/// <summary>A human decision on a proposal.</summary>
public sealed record Decision(DecisionAction Action, string By, DateTimeOffset At, string? Note, string Material);

/// <summary>
/// A triage proposal (docs/triage.md): the signal, the heuristic verdict, the LLM verdict if any, and
/// its <see cref="ProposalStatus"/>. Nothing acts on a proposal until it is approved.
/// </summary>
public sealed record Proposal(
    string Id, string Key, string Library, string Kind, ProposalStatus Status, string Summary,
    ProblemSignal Signal, string Material, Verdict Heuristic, Verdict? Llm, string? LlmFailure,
    DateTimeOffset Created, DateTimeOffset Updated, IReadOnlyList<Decision> Decisions)
{
    /// <summary>The verdict a human sees and approves: the LLM's when it gave a valid one, else the heuristic's.</summary>
    public Verdict Verdict => Llm ?? Heuristic;

    public Decision? LastDecision => Decisions.Count == 0 ? null : Decisions[^1];
}

/// <summary>The run's outcome for <c>sentinel triage</c>.</summary>
public sealed record TriageResult(int Signals, int New, int Updated, int BecameStale, int Unchanged, int LlmVerdicts, int LlmFailures, IReadOnlyList<string> LlmFailureReasons);

/// <summary>Where a proposal stands (its JSON name in proposals.json, <c>triage list</c> and <c>--status</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProposalStatus>))]
public enum ProposalStatus
{
    /// <summary>Waiting for a human decision.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Approved: <c>sentinel issues</c> may file it, the dashboard shows the decision.</summary>
    [JsonStringEnumMemberName("approved")]
    Approved,

    /// <summary>Rejected: nothing acts on it.</summary>
    [JsonStringEnumMemberName("rejected")]
    Rejected,

    /// <summary>Decided, but the signal changed materially since: it needs a new decision.</summary>
    [JsonStringEnumMemberName("stale")]
    Stale,
}

/// <summary>What a maintainer decides about a proposal (its JSON name in the decision log and on the command line).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DecisionAction>))]
public enum DecisionAction
{
    [JsonStringEnumMemberName("approve")]
    Approve,

    [JsonStringEnumMemberName("reject")]
    Reject,
}

/// <summary>A decision that cannot be taken (unknown id, already decided); the message says why.</summary>

public sealed class TriageException : Exception
{
    public TriageException(string message) : base(message) { }
    public TriageException() { }
    public TriageException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Proposals kept in <c>&lt;lake&gt;/state/triage/proposals.json</c>, written atomically under the lake lock.</summary>
public sealed class ProposalStore
{
    private readonly string _file;

    public ProposalStore(Lake lake) => _file = Path.Combine(Directory(lake), "proposals.json");

    public static string Directory(Lake lake) => Path.Combine(lake.Paths.State, "triage");

    public IReadOnlyList<Proposal> Load() => StateFile.Read<List<Proposal>>(_file) ?? [];

    public void Save(IEnumerable<Proposal> proposals) =>
        StateFile.Write(_file, proposals.OrderBy(p => p.Id, StringComparer.Ordinal).ToList());

    /// <summary>A short stable id from the key: what a human types after --approve.</summary>
    public static string IdOf(string key) => "p-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..10];
}

/// <summary><c>sentinel triage</c>: signals → heuristic (always) → LLM (optional) → proposals; and the decisions.</summary>
public static class Triager
{
    /// <summary>
    /// The LLM step for <see cref="RunAsync"/> when the provider (the override, else <c>triage.provider</c>) is
    /// <c>openai</c>; null (heuristics only) otherwise. One per run: its caps count per instance.
    /// </summary>
    public static Func<ProblemSignal, Verdict, CancellationToken, Task<LlmOutcome>>? LlmStep(
        Lake lake, Config.TriageConfig config, string? provider = null) =>
        (provider ?? config.Provider) == "openai"
            ? new LlmTriager(LlmTriager.CreateOpenAiClient(config), config, Path.Combine(ProposalStore.Directory(lake), "llm-cache")).TriageAsync
            : null;

    /// <param name="llm">The LLM step (<c>LlmTriager.TriageAsync</c>), or null for heuristics only.</param>
    public static async Task<TriageResult> RunAsync(Lake lake, string? library,
        Func<ProblemSignal, Verdict, CancellationToken, Task<LlmOutcome>>? llm, CancellationToken ct)
    {
        var paths = Existing(lake);
        using var lakeLock = LakeLock.Acquire(paths);
        var summaries = Summaries.Load(lake);
        if (library is not null && summaries.Libraries.All(l => l.Library != library))
        {
            throw new TriageException($"no library '{library}' in the summaries (known: {string.Join(", ", summaries.Libraries.Select(l => l.Library))})");
        }

        var signals = SignalBuilder.Build(summaries, library);
        var store = new ProposalStore(lake);
        var existing = store.Load().ToDictionary(p => p.Key, StringComparer.Ordinal);
        var now = lake.Clock.GetUtcNow();
        int created = 0, updated = 0, stale = 0, unchanged = 0, llmOk = 0;
        var failures = new List<string>();
        foreach (var signal in signals)
        {
            var key = SignalBuilder.Key(signal);
            var material = SignalBuilder.Material(signal);
            var heuristic = Heuristics.Judge(signal);
            existing.TryGetValue(key, out var old);
            if (old is not null && SameSignal(old.Signal, signal) && old.Heuristic == heuristic && (llm is null || old.Llm is not null))
            {
                unchanged++;
                continue;
            }

            // Decided, and nothing material changed: the verdicts stay what the human decided on.
            if (old is not null && old.Status is ProposalStatus.Approved or ProposalStatus.Rejected && old.LastDecision?.Material == material)
            {
                existing[key] = old with { Signal = signal, Updated = now };
                updated++;
                continue;
            }

            Verdict? verdict = null;
            string? failure = null;
            if (llm is not null)
            {
                var outcome = await llm(signal, heuristic, ct);
                verdict = outcome.Verdict;
                failure = outcome.FailureReason;
                if (verdict is not null)
                {
                    llmOk++;
                }
                else
                {
                    failures.Add($"{ProposalStore.IdOf(key)}: {failure}");
                }
            }

            if (old is null)
            {
                existing[key] = new Proposal(ProposalStore.IdOf(key), key, signal.Library, heuristic.Kind, ProposalStatus.Pending, heuristic.Summary,
                    signal, material, heuristic, verdict, failure, now, now, []);
                created++;
                continue;
            }

            var status = old.Status;
            if (status is ProposalStatus.Approved or ProposalStatus.Rejected && old.LastDecision?.Material != material)
            {
                status = ProposalStatus.Stale;
                stale++;
            }
            else
            {
                updated++;
            }

            existing[key] = old with
            {
                Kind = heuristic.Kind, Status = status, Summary = heuristic.Summary, Signal = signal, Material = material,
                Heuristic = heuristic,
                // Without an LLM this run, an earlier LLM verdict survives only while the signal is materially the same.
                Llm = verdict ?? (llm is null && old.Material == material ? old.Llm : null),
                LlmFailure = failure, Updated = now,
            };
        }

        store.Save(existing.Values);
        return new TriageResult(signals.Count, created, updated, stale, unchanged, llmOk, failures.Count, failures);
    }

    private static LakePaths Existing(Lake lake) => lake.Require("run `sentinel ingest` and `sentinel aggregate` first").Paths;

    private static bool SameSignal(ProblemSignal a, ProblemSignal b) =>
        JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b);

    /// <summary>A decision named on the command line or in a workflow: <c>approve</c> or <c>reject</c>, nothing else.</summary>
    /// <exception cref="TriageException">Any other action: before, anything but "approve" was taken as a rejection.</exception>
    public static Proposal Decide(Lake lake, string id, string action, string? by, string? note) =>
        EnumNames.TryParse<DecisionAction>(action, out var known)
            ? Decide(lake, id, known, by, note)
            : throw new TriageException($"unknown decision '{action}': a proposal is approved (approve) or rejected (reject)");

    /// <summary>Records a human decision. Approving a stale proposal is how it is re-approved.</summary>
    /// <exception cref="TriageException">Unknown id, or the proposal is already decided.</exception>
    public static Proposal Decide(Lake lake, string id, DecisionAction action, string? by, string? note)
    {
        var paths = Existing(lake);
        using var lakeLock = LakeLock.Acquire(paths);
        var store = new ProposalStore(lake);
        var all = store.Load().ToList();
        var index = all.FindIndex(p => p.Id == id);
        if (index < 0)
        {
            throw new TriageException($"no proposal '{id}' (see `sentinel triage list`)");
        }

        var p = all[index];
        if (p.Status is ProposalStatus.Approved or ProposalStatus.Rejected)
        {
            var d = p.LastDecision!;
            throw new TriageException($"proposal {id} is already {p.Status.Name()} (by {d.By} at {d.At:yyyy-MM-dd HH:mm}Z); it needs a new decision only once its signal changes (status stale)");
        }

        // A note stays in the lake's state and on the maintainers' site, never on a public page or issue; still, a
        // note that looks like a credential or personal data is refused, not stored.
        if (note is not null && Scrubber.Check(note) is { } reason)
        {
            throw new TriageException($"the note looks like a credential or personal data ({reason}); write it without that (nothing was recorded)");
        }

        var who = !string.IsNullOrWhiteSpace(by) ? by
            : Environment.GetEnvironmentVariable("GITHUB_ACTOR") is { Length: > 0 } actor ? actor
            : Environment.UserName;
        var decision = new Decision(action, who, lake.Clock.GetUtcNow(), note, p.Material);
        all[index] = p with
        {
            Status = action switch
            {
                DecisionAction.Approve => ProposalStatus.Approved,
                DecisionAction.Reject => ProposalStatus.Rejected,
                _ => throw new ArgumentOutOfRangeException(nameof(action), action, "approve or reject"),
            },
            Decisions = [.. p.Decisions, decision],
            Updated = decision.At,
        };
        store.Save(all);
        return all[index];
    }
}
