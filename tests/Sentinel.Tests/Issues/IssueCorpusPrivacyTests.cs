using Sentinel.Issues;
using Sentinel.Storage;
using Sentinel.Tests.Aggregate;
using Sentinel.Tests.Support;
using Sentinel.Triage;

namespace Sentinel.Tests.Issues;

/// <summary>The real corpus through triage and approval to issues: no planted secret leaves in any request.</summary>
public sealed class IssueCorpusPrivacyTests(AggregatedCorpusFixture fixture) : IClassFixture<AggregatedCorpusFixture>, IDisposable
{
    private readonly FakeGitHub _github = new();

    [Fact]
    public async Task No_planted_corpus_secret_appears_in_any_request()
    {
        await Triager.RunAsync(TestLake.At(fixture.Lake), "molsysmt", null, CancellationToken.None);
        foreach (var p in new ProposalStore(TestLake.At(fixture.Lake)).Load().Where(p => p.Library == "molsysmt" && p.Status is ProposalStatus.Pending or ProposalStatus.Stale))
        {
            Triager.Decide(TestLake.At(fixture.Lake), p.Id, "approve", "maintainer-a", null);
        }

        var config = IssuesLake.Config(_github.BaseUrl, ("molsysmt", "uibcdf/molsysmt", true));
        config.Github.MinSecondsBetweenWrites = 0;
        config.Libraries["molsysmt"].MaxNewIssuesPerDay = 100;
        config.Github.MaxWritesPerRun = 100;
        var result = await IssueFiler.RunAsync(TestLake.At(fixture.Lake, new InstantTime()), config, "molsysmt", IssuesLake.Token, CancellationToken.None);
        Assert.True(result.Done >= 1);
        Assert.Equal(0, result.Failed);
        Assert.NotEmpty(_github.Requests);
        foreach (var r in _github.Requests)
        {
            Assert.All(Corpus.PlantedSecrets, s =>
            {
                Assert.DoesNotContain(s, r.Body, StringComparison.Ordinal);
                Assert.DoesNotContain(s, r.Query ?? "", StringComparison.Ordinal);
            });
            Assert.DoesNotContain("/home/", r.Body, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _github.Dispose();
}
