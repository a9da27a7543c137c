using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Dashboard;
using Sentinel.Ingest;
using Sentinel.Storage;
using Sentinel.Text;
using Sentinel.Triage;

namespace Sentinel.Pipeline;

/// <summary>What one daily run does: the inputs, the lake and the site it builds.</summary>
/// <param name="Triage">Also triage after aggregating (always when <c>triage.provider</c> is <c>openai</c>).</param>
public sealed record DailyJobOptions(
    IReadOnlyList<string> Inputs, Lake Lake, SentinelConfig Config, VersionHints Versions,
    string SiteOut, string Audience, bool Triage);

/// <summary>How each step ended; <see cref="ExitCode"/> is 2 when an input was quarantined or skipped (everything else still ran).</summary>
public sealed record DailyJobResult(
    IngestResult? Ingest, AggregateResult Aggregate, TriageResult? Triage, DashboardResult Site, HealthReport Report, int ExitCode);

/// <summary>
/// The daily job (DESIGN §10): ingest → aggregate → (triage →) dashboard → report, in one process. Every step
/// reports one line per event to <c>log</c> (the CLI prints them on stderr); what can be refused (the site folder)
/// is checked before anything is written.
/// </summary>
public static class DailyJob
{
    public static async Task<DailyJobResult> RunAsync(DailyJobOptions o, IProgress<string> log, CancellationToken ct)
    {
        DashboardBuilder.CheckTarget(o.SiteOut);
        var exit = Sentinel.ExitCode.Success;
        IngestResult? ingest = null;
        if (o.Inputs.Count > 0)
        {
            var progress = new Progress(p => log.Report($"ingest: [{p.Done}/{p.Total}] {p.Status.Name(),-11} {TerminalText.Safe(p.Input)}"));
            ingest = await Ingester.RunAsync(new IngestOptions([.. o.Inputs], o.Lake, o.Config, o.Versions), progress, ct);
            log.Report($"ingest: {ingest.Accepted} accepted, {ingest.Duplicates} duplicate(s), {ingest.Quarantined.Count} quarantined, {ingest.EventsWritten:N0} events written");
            foreach (var q in ingest.Quarantined)
            {
                log.Report($"ingest: quarantined {TerminalText.Safe(q.Input)}: {TerminalText.Safe(q.Reason)}");
            }

            foreach (var s in ingest.Skipped)
            {
                log.Report($"ingest: skipped {TerminalText.Safe(s.Where)}: {TerminalText.Safe(s.Message)}");
            }

            exit = ingest.ExitCode;
        }

        var aggregate = Aggregator.Run(new AggregateOptions(o.Lake, o.Config, Full: false, new StringProgress(m => log.Report($"aggregate: {m}"))));
        log.Report($"aggregate: {aggregate.Mode}, {aggregate.IngestsFolded} ingest(s) folded in, {aggregate.Regressions} regression finding(s)");

        TriageResult? triage = null;
        if (o.Triage || o.Config.Triage.Provider == "openai")
        {
            var llm = Triager.LlmStep(o.Lake, o.Config.Triage);
            triage = await Triager.RunAsync(o.Lake, null, llm, ct);
            log.Report($"triage: {triage.Signals} signal(s), {triage.New} new proposal(s), {triage.BecameStale} now stale" +
                (llm is null ? "" : $", {triage.LlmVerdicts} LLM verdict(s), {triage.LlmFailures} fallback(s)"));
        }

        var site = DashboardBuilder.Build(new DashboardOptions(o.Lake, o.SiteOut, o.Audience, o.Config));
        log.Report($"dashboard: {site.Pages} pages ({site.Audience}) in {site.Out}");
        return new DailyJobResult(ingest, aggregate, triage, site, HealthReport.Build(o.Lake, library: null, top: 10), exit);
    }

    // Reported on the calling thread, in order (System.Progress<T> posts to the thread pool and can reorder lines).
    private sealed class Progress(Action<IngestProgress> report) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => report(value);
    }

    private sealed class StringProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
