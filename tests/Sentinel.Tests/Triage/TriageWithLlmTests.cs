using System.Text.Json;
using Sentinel.Config;
using Sentinel.Storage;
using Sentinel.Tests.Aggregate;
using Sentinel.Tests.Support;
using Sentinel.Triage;

namespace Sentinel.Tests.Triage;

/// <summary>The whole triage run with the real OpenAI-compatible client against the fake server.</summary>
public sealed class TriageWithLlmTests(AggregatedCorpusFixture fixture) : IClassFixture<AggregatedCorpusFixture>, IDisposable
{
    private readonly FakeOpenAi _server = new();

    private LlmTriager Triager(int maxCalls = 100)
    {
        var config = new TriageConfig { Provider = "openai", Endpoint = _server.BaseUrl, Model = "fake-model", MaxCallsPerRun = maxCalls, TimeoutSeconds = 5 };
        return new LlmTriager(LlmTriager.CreateOpenAiClient(config), config, cacheDir: null);
    }

    [Fact]
    public async Task Corpus_triage_sends_only_signals_and_records_verdicts_and_fallbacks()
    {
        var signals = SignalBuilder.Build(fixture.Summaries, "molsysmt").Count;
        Assert.True(signals >= 3);
        // First answer good, second a 500, the rest malformed: every outcome is recorded on its proposal.
        _server.EnqueueAnswer("A memory budget check added in the release.", "Raise the budget or stream the input.", "Runs that load large systems.", "medium");
        _server.EnqueueError(500);
        for (var i = 2; i < signals; i++)
        {
            _server.EnqueueContent("not json at all");
        }

        var llm = Triager();
        var result = await Sentinel.Triage.Triager.RunAsync(TestLake.At(fixture.Lake), "molsysmt", llm.TriageAsync, CancellationToken.None);
        Assert.Equal(signals, result.Signals);
        Assert.Equal(1, result.LlmVerdicts);
        Assert.Equal(signals - 1, result.LlmFailures);

        var proposals = new ProposalStore(TestLake.At(fixture.Lake)).Load().Where(p => p.Library == "molsysmt").ToList();
        Assert.Equal(signals, proposals.Count);
        var withLlm = proposals.Single(p => p.Llm is not null);
        Assert.Equal(("llm", withLlm.Heuristic.Kind), (withLlm.Llm!.Source, withLlm.Llm.Kind));
        Assert.Equal(withLlm.Llm, withLlm.Verdict);
        Assert.Contains(proposals, p => p.LlmFailure == "llm http error: 500");
        Assert.Contains(proposals, p => p.LlmFailure == "llm answer is not JSON matching the schema");
        Assert.All(proposals.Where(p => p.Llm is null), p =>
        {
            Assert.NotNull(p.LlmFailure);
            Assert.Equal(p.Heuristic, p.Verdict); // the heuristic verdict stands
        });

        // What left the machine: signals only, never a secret, a path, argv or an event message.
        Assert.Equal(signals, _server.Requests.Count);
        foreach (var request in _server.Requests)
        {
            Assert.All(Corpus.PlantedSecrets, s => Assert.DoesNotContain(s, request.Body, StringComparison.Ordinal));
            Assert.DoesNotContain("/home/", request.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("argv", request.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("human_summary", request.Body, StringComparison.Ordinal);
            var user = request.Messages().Single(m => m.Role == "user").Content;
            Assert.Contains("<signal>", user, StringComparison.Ordinal);
            Assert.Contains("\"library\":\"molsysmt\"", user, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_call_cap_leaves_the_rest_to_the_heuristics_with_the_reason()
    {
        for (var i = 0; i < 3; i++)
        {
            _server.EnqueueAnswer("cause", "fix", "impact", "low");
        }

        var result = await Sentinel.Triage.Triager.RunAsync(TestLake.At(fixture.Lake), "topomt", Triager(maxCalls: 1).TriageAsync, CancellationToken.None);
        Assert.Equal(1, result.LlmVerdicts);
        Assert.All(result.LlmFailureReasons, r => Assert.Contains("llm cap reached: 1 calls", r, StringComparison.Ordinal));
        Assert.Single(_server.Requests);
    }

    [Fact]
    public void Cli_triage_with_the_openai_provider_uses_the_configured_endpoint()
    {
        using var dir = new TempDir();
        var config = dir.Sub("sentinel.yml");
        File.WriteAllText(config, $"triage:\n  provider: openai\n  endpoint: {_server.BaseUrl}\n  model: fake-model\n  timeout_seconds: 5\n");
        for (var i = 0; i < 50; i++)
        {
            _server.EnqueueAnswer("cause", "fix", "impact", "high");
        }

        var r = SentinelRunner.Cli(dir.Path, "triage", "--lake", fixture.Lake, "--config", config, "--library", "argdigest", "--format", "json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.True(doc.RootElement.GetProperty("result").GetProperty("llm_verdicts").GetInt32() >= 1);
        Assert.NotEmpty(_server.Requests);
    }

    public void Dispose() => _server.Dispose();
}
